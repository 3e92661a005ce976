"""Local demo: the defaults plus DEBUG unless the environment says otherwise."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
