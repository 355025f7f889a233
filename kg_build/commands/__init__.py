"""One module per `ctoc-kg` subcommand; each only wires pipeline stages together."""
