"""Process kinds: every ``kinds/<kind>/manifest.py`` package is an app of its own."""
