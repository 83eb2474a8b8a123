"""The Blender renderer: scene elements translated into a bpy scene, one module per job.

Import its modules only inside worker processes (they import bpy; a spawned child of a
bpy-importing parent dies with "No module named '_bpy'"). ``backend`` holds the renderer and the
per-pair builder that dispatches each scene element to its builder module.
"""
