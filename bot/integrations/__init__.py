"""Clients for outside services: data.police.uk and postcodes.io."""
