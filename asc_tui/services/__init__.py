"""Store lifecycle and orchestration: the only layer that combines storage, secrets and adapters."""
