# Stage pip into the image's root filesystem with ensurepip (see contrib/README.md).
# In an image recipe: inherit ensurepip-stage
DEPENDS:append = " ensurepip-native"
IMAGE_INSTALL:append = " python3"

ensurepip_stage_pip() {
    # SOURCE_DATE_EPOCH is exported by OE's reproducible builds support.
    ensurepip --python ${IMAGE_ROOTFS}${bindir}/python3 --root ${IMAGE_ROOTFS} \
              --script-interpreter '/usr/bin/env python3' \
              --report ${WORKDIR}/ensurepip-report.json
}
ROOTFS_POSTPROCESS_COMMAND += "ensurepip_stage_pip;"
