"""The `segscribe` command line. Commands are thin: parse, build config, call, print."""
