################################################################################
#
# ensurepip (host): stages pip into $(TARGET_DIR) after the build (see contrib/README.md)
#
################################################################################

# The first commit that stages roots of any architecture; bump it with the release you take.
HOST_ENSUREPIP_VERSION = 9836eb19858dfe59a28d7904e826ce0f04533273
HOST_ENSUREPIP_SITE = $(call github,example,ensurepip,$(HOST_ENSUREPIP_VERSION))
HOST_ENSUREPIP_LICENSE = MIT
HOST_ENSUREPIP_LICENSE_FILES = LICENSE
HOST_ENSUREPIP_AUTORECONF = YES
HOST_ENSUREPIP_DEPENDENCIES = host-python3 host-zlib host-nettle host-pkgconf
# pip 24.2 runs on Buildroot's CPython 3.12 and 3.13 (ensurepip.hash pins it).
HOST_ENSUREPIP_PIP_WHEEL = pip-24.2-py3-none-any.whl
HOST_ENSUREPIP_EXTRA_DOWNLOADS = \
	https://files.pythonhosted.org/packages/py3/p/pip/$(HOST_ENSUREPIP_PIP_WHEEL)
HOST_ENSUREPIP_CONF_OPTS = \
	--with-python=$(HOST_DIR)/bin/python3 \
	--with-pip-wheel=$(HOST_ENSUREPIP_DL_DIR)/$(HOST_ENSUREPIP_PIP_WHEEL)

# In the board's post-build script (BR2_ROOTFS_POST_BUILD_SCRIPT), with SOURCE_DATE_EPOCH
# exported by Buildroot (BR2_REPRODUCIBLE):
#   "$HOST_DIR/bin/ensurepip" --python "$TARGET_DIR/usr/bin/python3" --root "$TARGET_DIR" \
#       --script-interpreter '/usr/bin/env python3' --report "$BUILD_DIR/ensurepip.json"

$(eval $(host-autotools-package))
