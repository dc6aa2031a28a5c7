"""Settings: the config file (reading, checking, writing), the hosts secrets may go to, and the keyring."""
