"""Amazon: Seller Central consent, Login with Amazon and the SP-API (and their sandbox emulator)."""
