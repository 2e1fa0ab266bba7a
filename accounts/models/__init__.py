"""The accounts app's models, a module per concern; every name is importable from `accounts.models`."""
# ruff: noqa: I001, F401, F403
# The attachment model refers to the others: it is imported last.

from .accounts import *
from .imports import *
from .selection import *

from ..attachments.models import Attachment
