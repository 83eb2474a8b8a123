"""diffforge: synthetic image-difference-captioning data with Blender, and an M³Diff trainer."""

__version__ = "0.1.0"
