/* virtio-gpu 2D commands (virtio 1.2 §5.7.6): the request and response
 * layouts, their encoding, the check of a response, and the choice of the
 * start mode from GET_DISPLAY_INFO. Free of device access, so the host
 * tests (tests/test_gpu_cmd.c) drive it against a simulated device; the
 * image glue is virtio_gpu_module.c. Every field is little-endian, as the
 * CPUs here (x86_64, arm64) are. */
#ifndef VIRTIO_GPU_CMD_H
#define VIRTIO_GPU_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

#define VGPU_VIRTIO_ID 16           /* virtio 1.2 §5: the GPU device */

/* config space (§5.7.4, struct virtio_gpu_config) */
#define VGPU_CFG_EVENTS_READ 0
#define VGPU_CFG_EVENTS_CLEAR 4
#define VGPU_CFG_NUM_SCANOUTS 8
#define VGPU_EVENT_DISPLAY 1u       /* the host's display configuration changed */

#define VGPU_MAX_SCANOUTS 16        /* §5.7.6.8: entries in the display info response */

/* §5.7.6.7 enum virtio_gpu_ctrl_type: the 2D commands and their answers */
#define VGPU_CMD_GET_DISPLAY_INFO 0x0100
#define VGPU_CMD_RESOURCE_CREATE_2D 0x0101
#define VGPU_CMD_RESOURCE_UNREF 0x0102
#define VGPU_CMD_SET_SCANOUT 0x0103
#define VGPU_CMD_RESOURCE_FLUSH 0x0104
#define VGPU_CMD_TRANSFER_TO_HOST_2D 0x0105
#define VGPU_CMD_RESOURCE_ATTACH_BACKING 0x0106
#define VGPU_CMD_RESOURCE_DETACH_BACKING 0x0107
#define VGPU_RESP_OK_NODATA 0x1100
#define VGPU_RESP_OK_DISPLAY_INFO 0x1101
#define VGPU_RESP_ERR_UNSPEC 0x1200
#define VGPU_RESP_ERR_OUT_OF_MEMORY 0x1201
#define VGPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202
#define VGPU_RESP_ERR_INVALID_RESOURCE_ID 0x1203
#define VGPU_RESP_ERR_INVALID_CONTEXT_ID 0x1204
#define VGPU_RESP_ERR_INVALID_PARAMETER 0x1205

/* §5.7.6.8 enum virtio_gpu_formats: B, G, R, X in memory, which is the
 * display registry's XRGB8888. The 2D list has no 16-bit format. */
#define VGPU_FORMAT_B8G8R8X8_UNORM 2

/* The mode used when the device's display info is unusable. */
#define VGPU_FALLBACK_WIDTH 1024u
#define VGPU_FALLBACK_HEIGHT 768u
/* Largest mode this driver sets: the device takes any size the host can
 * allocate, but a framebuffer bigger than 256 MiB is not a display. */
#define VGPU_MAX_SIZE 8192u

struct vgpu_hdr {
    uint32_t type;
    uint32_t flags;
    uint64_t fence_id;
    uint32_t ctx_id;
    uint32_t padding;
};

struct vgpu_rect {
    uint32_t x, y, width, height;
};

struct vgpu_display_one {
    struct vgpu_rect r;
    uint32_t enabled;
    uint32_t flags;
};

struct vgpu_resp_display_info {
    struct vgpu_hdr hdr;
    struct vgpu_display_one pmodes[VGPU_MAX_SCANOUTS];
};

struct vgpu_resource_create_2d {
    struct vgpu_hdr hdr;
    uint32_t resource_id;
    uint32_t format;
    uint32_t width, height;
};

/* RESOURCE_UNREF and RESOURCE_DETACH_BACKING share this layout */
struct vgpu_resource_ref {
    struct vgpu_hdr hdr;
    uint32_t resource_id;
    uint32_t padding;
};

struct vgpu_set_scanout {
    struct vgpu_hdr hdr;
    struct vgpu_rect r;
    uint32_t scanout_id;
    uint32_t resource_id;
};

struct vgpu_resource_flush {
    struct vgpu_hdr hdr;
    struct vgpu_rect r;
    uint32_t resource_id;
    uint32_t padding;
};

struct vgpu_transfer_to_host_2d {
    struct vgpu_hdr hdr;
    struct vgpu_rect r;
    uint64_t offset;
    uint32_t resource_id;
    uint32_t padding;
};

struct vgpu_mem_entry {
    uint64_t addr;
    uint32_t length;
    uint32_t padding;
};

/* followed by nr_entries struct vgpu_mem_entry */
struct vgpu_attach_backing {
    struct vgpu_hdr hdr;
    uint32_t resource_id;
    uint32_t nr_entries;
};

/* Largest request this driver sends: an attach with VGPU_MAX_ENTRIES. */
#define VGPU_MAX_ENTRIES 16
#define VGPU_REQ_MAX (sizeof(struct vgpu_attach_backing) + VGPU_MAX_ENTRIES * sizeof(struct vgpu_mem_entry))

/* Each encoder writes one request into buf (zeroed first, so padding and
 * the fence fields are 0) and returns its length in bytes. */
size_t vgpu_enc_get_display_info(void *buf);
size_t vgpu_enc_create_2d(void *buf, uint32_t resource_id, uint32_t format, uint32_t width, uint32_t height);
size_t vgpu_enc_unref(void *buf, uint32_t resource_id);
size_t vgpu_enc_detach_backing(void *buf, uint32_t resource_id);
size_t vgpu_enc_set_scanout(void *buf, uint32_t scanout_id, uint32_t resource_id, uint32_t width, uint32_t height);
/* The rectangle (x, y, w, h) of a resource whose backing has rows of
 * `stride` bytes at 4 bytes a pixel: the device reads it from `offset`
 * into the backing (§5.7.6.8: the offset of the rectangle's first pixel). */
size_t vgpu_enc_transfer_2d(void *buf, uint32_t resource_id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                            uint32_t stride);
size_t vgpu_enc_flush(void *buf, uint32_t resource_id, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
/* Backing of `bytes` starting at guest-physical addr, one entry per run of
 * at most max_entry bytes (a mem entry's length is 32 bits); 0 when it needs
 * more than VGPU_MAX_ENTRIES entries or bytes is 0. buf holds VGPU_REQ_MAX. */
size_t vgpu_enc_attach_backing(void *buf, uint32_t resource_id, uint64_t addr, uint64_t bytes, uint32_t max_entry);

/* The response type a command's success carries. */
uint32_t vgpu_expected_resp(uint32_t cmd);
/* "GET_DISPLAY_INFO", "ERR_OUT_OF_MEMORY" ...; "unknown" for others. */
const char *vgpu_type_name(uint32_t type);
/* The device wrote `written` bytes of response into resp (room for
 * resp_size): 0 when it is the success the command expects and long
 * enough; else -1 with *type set to what the device said (0 when it wrote
 * too little to say anything). */
int vgpu_check_resp(uint32_t cmd, const void *resp, uint32_t written, size_t resp_size, uint32_t *type);

/* The start mode from a display info response, for a device with
 * num_scanouts scanouts: scanout 0's size when it is sane (1 .. VGPU_MAX_SIZE
 * each way; a disabled scanout with a sane size counts, QEMU reports its
 * default size so). Else VGPU_FALLBACK_WIDTH x HEIGHT, returns false and
 * sets *why ("0 scanouts (1 to 16 expected)", "scanout 0 is 0x0",
 * "scanout 0 is 100000x768, more than 8192x8192") for the log line. */
bool vgpu_pick_mode(const struct vgpu_resp_display_info *di, uint32_t num_scanouts, uint32_t *width,
                    uint32_t *height, char *why, size_t why_size);

/* Lay out one command as a chain for virtio_queue_add: the request
 * (device-readable), then the response (device-writable). */
void vgpu_chain(struct virtq_buf bufs[2], const void *req, size_t req_len, void *resp, size_t resp_len);

#endif
