"""The builders' forms, one module per flow: residents, conversations,
introductions, groups; what they share is in ``shared``."""
