/* virtio-gpu 2D command encoding and response checks (gpu_cmd.h). */
#include <anx/lib.h>
#include <anx/printf.h>

#include "gpu_cmd.h"

static void hdr(void *buf, size_t len, uint32_t type)
{
    memset(buf, 0, len);
    ((struct vgpu_hdr *)buf)->type = type;
}

size_t vgpu_enc_get_display_info(void *buf)
{
    hdr(buf, sizeof(struct vgpu_hdr), VGPU_CMD_GET_DISPLAY_INFO);
    return sizeof(struct vgpu_hdr);
}

size_t vgpu_enc_create_2d(void *buf, uint32_t resource_id, uint32_t format, uint32_t width, uint32_t height)
{
    struct vgpu_resource_create_2d *c = buf;
    hdr(c, sizeof *c, VGPU_CMD_RESOURCE_CREATE_2D);
    c->resource_id = resource_id;
    c->format = format;
    c->width = width;
    c->height = height;
    return sizeof *c;
}

static size_t ref(void *buf, uint32_t type, uint32_t resource_id)
{
    struct vgpu_resource_ref *c = buf;
    hdr(c, sizeof *c, type);
    c->resource_id = resource_id;
    return sizeof *c;
}

size_t vgpu_enc_unref(void *buf, uint32_t resource_id)
{
    return ref(buf, VGPU_CMD_RESOURCE_UNREF, resource_id);
}

size_t vgpu_enc_detach_backing(void *buf, uint32_t resource_id)
{
    return ref(buf, VGPU_CMD_RESOURCE_DETACH_BACKING, resource_id);
}

/* §5.7.6.8: SET_SCANOUT shows rectangle r of the resource on the scanout;
 * resource 0 would switch the scanout off, which this driver never does. */
size_t vgpu_enc_set_scanout(void *buf, uint32_t scanout_id, uint32_t resource_id, uint32_t width, uint32_t height)
{
    struct vgpu_set_scanout *c = buf;
    hdr(c, sizeof *c, VGPU_CMD_SET_SCANOUT);
    c->r = (struct vgpu_rect){ 0, 0, width, height };
    c->scanout_id = scanout_id;
    c->resource_id = resource_id;
    return sizeof *c;
}

size_t vgpu_enc_transfer_2d(void *buf, uint32_t resource_id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                            uint32_t stride)
{
    struct vgpu_transfer_to_host_2d *c = buf;
    hdr(c, sizeof *c, VGPU_CMD_TRANSFER_TO_HOST_2D);
    c->r = (struct vgpu_rect){ x, y, w, h };
    c->offset = (uint64_t)y * stride + (uint64_t)x * 4;
    c->resource_id = resource_id;
    return sizeof *c;
}

size_t vgpu_enc_flush(void *buf, uint32_t resource_id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct vgpu_resource_flush *c = buf;
    hdr(c, sizeof *c, VGPU_CMD_RESOURCE_FLUSH);
    c->r = (struct vgpu_rect){ x, y, w, h };
    c->resource_id = resource_id;
    return sizeof *c;
}

/* §5.7.6.8: the backing is a list of guest-physical runs; their lengths add
 * up to the resource's bytes (the device checks that). RAM is identity
 * mapped and the framebuffer is one run of pages, so only the 32-bit
 * length field can make more than one entry necessary. */
size_t vgpu_enc_attach_backing(void *buf, uint32_t resource_id, uint64_t addr, uint64_t bytes, uint32_t max_entry)
{
    if (!bytes || !max_entry)
        return 0;
    uint64_t n = (bytes + max_entry - 1) / max_entry;
    if (n > VGPU_MAX_ENTRIES)
        return 0;
    struct vgpu_attach_backing *c = buf;
    size_t len = sizeof *c + (size_t)n * sizeof(struct vgpu_mem_entry);
    hdr(c, len, VGPU_CMD_RESOURCE_ATTACH_BACKING);
    c->resource_id = resource_id;
    c->nr_entries = (uint32_t)n;
    struct vgpu_mem_entry *e = (struct vgpu_mem_entry *)(c + 1);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t run = bytes > max_entry ? max_entry : bytes;
        e[i].addr = addr;
        e[i].length = (uint32_t)run;
        addr += run;
        bytes -= run;
    }
    return len;
}

uint32_t vgpu_expected_resp(uint32_t cmd)
{
    return cmd == VGPU_CMD_GET_DISPLAY_INFO ? VGPU_RESP_OK_DISPLAY_INFO : VGPU_RESP_OK_NODATA;
}

const char *vgpu_type_name(uint32_t type)
{
    switch (type) {
    case VGPU_CMD_GET_DISPLAY_INFO: return "GET_DISPLAY_INFO";
    case VGPU_CMD_RESOURCE_CREATE_2D: return "RESOURCE_CREATE_2D";
    case VGPU_CMD_RESOURCE_UNREF: return "RESOURCE_UNREF";
    case VGPU_CMD_SET_SCANOUT: return "SET_SCANOUT";
    case VGPU_CMD_RESOURCE_FLUSH: return "RESOURCE_FLUSH";
    case VGPU_CMD_TRANSFER_TO_HOST_2D: return "TRANSFER_TO_HOST_2D";
    case VGPU_CMD_RESOURCE_ATTACH_BACKING: return "RESOURCE_ATTACH_BACKING";
    case VGPU_CMD_RESOURCE_DETACH_BACKING: return "RESOURCE_DETACH_BACKING";
    case VGPU_RESP_OK_NODATA: return "OK_NODATA";
    case VGPU_RESP_OK_DISPLAY_INFO: return "OK_DISPLAY_INFO";
    case VGPU_RESP_ERR_UNSPEC: return "ERR_UNSPEC";
    case VGPU_RESP_ERR_OUT_OF_MEMORY: return "ERR_OUT_OF_MEMORY";
    case VGPU_RESP_ERR_INVALID_SCANOUT_ID: return "ERR_INVALID_SCANOUT_ID";
    case VGPU_RESP_ERR_INVALID_RESOURCE_ID: return "ERR_INVALID_RESOURCE_ID";
    case VGPU_RESP_ERR_INVALID_CONTEXT_ID: return "ERR_INVALID_CONTEXT_ID";
    case VGPU_RESP_ERR_INVALID_PARAMETER: return "ERR_INVALID_PARAMETER";
    }
    return "unknown";
}

/* §5.7.6.7: every response starts with a header whose type says success
 * (OK_*) or which error; a display info answer must also be whole. */
int vgpu_check_resp(uint32_t cmd, const void *resp, uint32_t written, size_t resp_size, uint32_t *type)
{
    *type = 0;
    if (written < sizeof(struct vgpu_hdr) || resp_size < sizeof(struct vgpu_hdr))
        return -1;
    *type = ((const struct vgpu_hdr *)resp)->type;
    if (*type != vgpu_expected_resp(cmd))
        return -1;
    if (*type == VGPU_RESP_OK_DISPLAY_INFO && written < sizeof(struct vgpu_resp_display_info))
        return -1;
    return 0;
}

bool vgpu_pick_mode(const struct vgpu_resp_display_info *di, uint32_t num_scanouts, uint32_t *width,
                    uint32_t *height, char *why, size_t why_size)
{
    *width = VGPU_FALLBACK_WIDTH;
    *height = VGPU_FALLBACK_HEIGHT;
    if (num_scanouts == 0 || num_scanouts > VGPU_MAX_SCANOUTS) {
        snprintf(why, why_size, "%u scanouts (1 to %u expected)", (unsigned)num_scanouts, VGPU_MAX_SCANOUTS);
        return false;
    }
    uint32_t w = di->pmodes[0].r.width, h = di->pmodes[0].r.height;
    if (w == 0 || h == 0) {
        snprintf(why, why_size, "scanout 0 is %ux%u", (unsigned)w, (unsigned)h);
        return false;
    }
    if (w > VGPU_MAX_SIZE || h > VGPU_MAX_SIZE) {
        snprintf(why, why_size, "scanout 0 is %ux%u, more than %ux%u", (unsigned)w, (unsigned)h, VGPU_MAX_SIZE,
                 VGPU_MAX_SIZE);
        return false;
    }
    *width = w;
    *height = h;
    return true;
}

void vgpu_chain(struct virtq_buf bufs[2], const void *req, size_t req_len, void *resp, size_t resp_len)
{
    bufs[0] = (struct virtq_buf){ (uint64_t)(uintptr_t)req, (uint32_t)req_len };
    bufs[1] = (struct virtq_buf){ (uint64_t)(uintptr_t)resp, (uint32_t)resp_len };
}
