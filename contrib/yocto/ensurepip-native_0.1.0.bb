SUMMARY = "Bootstrap pip into a Python installation or root filesystem, offline"
DESCRIPTION = "ensurepip for the build host: embeds python3-native's libpython and a pip wheel."
LICENSE = "CLOSED"

SRC_URI = "git://example.invalid/ensurepip.git;protocol=https;branch=main \
           https://files.pythonhosted.org/packages/py3/p/pip/pip-23.0.1-py3-none-any.whl;downloadfilename=pip-23.0.1-py3-none-any.whl;unpack=0"
SRC_URI[sha256sum] = "236bcb61156d76c4b8a05821b988c7b8c35bf0da28a4b614e8d6ab5212c25c6f"
SRCREV = "${AUTOREV}"
S = "${WORKDIR}/git"

DEPENDS = "python3-native zlib-native openssl-native"
inherit autotools pkgconfig native

# python3-native must be built with a shared libpython (python-3.X-embed.pc).
EXTRA_OECONF = "--with-python=${STAGING_BINDIR_NATIVE}/python3-native/python3 \
                --with-pip-wheel=${WORKDIR}/pip-23.0.1-py3-none-any.whl"
