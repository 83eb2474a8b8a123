"""M³Diff models: the MDP module, one file per backbone under ``backbones/`` (adapter, image spec,
tiny config, MDP taps, chat format) and the registry that finds them by name."""
