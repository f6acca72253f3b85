"""Runtime hook of the frozen application: native libraries loaded through ctypes by name.

pyzbar finds libzbar with ``ctypes.util.find_library("zbar")``, which searches the system
(ldconfig), not the application's folder. The build bundles the library; this hook makes
``find_library`` answer with the bundled copy first, so the frozen app needs no zbar package.
"""

import ctypes.util
import glob
import os
import sys

_bundle = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_system_find_library = ctypes.util.find_library
_BUNDLED = {"zbar": ("libzbar.so*", "libzbar*.dylib", "libzbar*.dll")}


def _find_library(name):
    for pattern in _BUNDLED.get(name, ()):
        found = sorted(glob.glob(os.path.join(_bundle, pattern)))
        if found:
            return found[0]
    return _system_find_library(name)


ctypes.util.find_library = _find_library
