"""One module per backbone, each defining ``BACKBONE`` (see ``registry.Backbone``)."""
