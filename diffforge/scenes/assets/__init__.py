"""Assets: the manifest schema, the built-in procedural library and the mannequin (no bpy)."""

from diffforge.scenes.assets.library import AssetLibrary
from diffforge.scenes.assets.manifest import AssetSpec, Manifest

__all__ = ["AssetLibrary", "AssetSpec", "Manifest"]
