SUMMARY = "Bootstrap pip into a Python installation or root filesystem, offline"
DESCRIPTION = "ensurepip for the build host: embeds python3-native's libpython and a pip wheel."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=201615ac8dfe1c0cf030b9229812d6e4"

# pip 24.2 runs on the CPython 3.12 and 3.13 of current Yocto releases (pip 23.0.1 does not run
# on 3.12: make refuses such a wheel with one line).
PIP_WHEEL = "pip-24.2-py3-none-any.whl"
SRC_URI = "git://example.invalid/ensurepip.git;protocol=https;branch=main \
           https://files.pythonhosted.org/packages/py3/p/pip/${PIP_WHEEL};downloadfilename=${PIP_WHEEL};unpack=0"
SRC_URI[sha256sum] = "2cd581cf58ab7fcfca4ce8efa6dcacd0de5bf8d0a3eb9ec927e07405f4d9e2a2"
# The first commit that stages roots of any architecture; bump it with the release you take.
SRCREV = "9836eb19858dfe59a28d7904e826ce0f04533273"
S = "${WORKDIR}/git"

DEPENDS = "python3-native zlib-native nettle-native"
inherit autotools pkgconfig native

# python3-native must be built with a shared libpython (python-3.X-embed.pc).
EXTRA_OECONF = "--with-python=${STAGING_BINDIR_NATIVE}/python3-native/python3 \
                --with-pip-wheel=${WORKDIR}/${PIP_WHEEL}"
