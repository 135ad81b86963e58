"""The production settings of the Voila server (voila.json, jupyter_server_config.json) and the class they name."""
