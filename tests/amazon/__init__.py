"""Tests of the Amazon clients and the sandbox emulator."""
