"""fittrack: recognise gym exercises from video.

The core package holds everything the four services share: video decoding,
pose estimation, joint angles, the row schema, features, the store and the
settings. `workers/`, `producer/`, `trainer/` and `webapp/` stay thin on top.
"""

__version__ = "0.1.0"
