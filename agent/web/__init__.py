"""The web app behind `segscribe serve`: upload research, run, browse findings with their sources, curate, share."""
