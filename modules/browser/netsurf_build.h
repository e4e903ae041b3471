/*
 * The build switches NetSurf's makefiles pass on the command line
 * (netsurf/Makefile, Makefile.defaults, frontends/framebuffer/Makefile),
 * for the features this image has; module.yaml force-includes this file
 * (-include) into every NetSurf source, so they are written once.
 */
#ifndef BROWSER_NETSURF_BUILD_H
#define BROWSER_NETSURF_BUILD_H

/* frontends/framebuffer/Makefile: the POSIX level NetSurf is written to
 * (utils/config.h then expects the C library's strndup, strftime ...). */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE 1
#define _BSD_SOURCE 1

/* Makefile.defaults */
#define NETSURF_HOMEPAGE "about:welcome"
#define NETSURF_UA_FORMAT_STRING "Mozilla/5.0 (%s) NetSurf/%d.%d"
#define NETSURF_LOG_LEVEL WARNING
#define NETSURF_BUILTIN_LOG_FILTER "(level:WARNING)"
#define NETSURF_BUILTIN_VERBOSE_FILTER "(level:VERBOSE)"
#define STMTEXPR 1

/* Features found (pkg-config in NetSurf's build): the image decoders of
 * netsurf-libs and utf8proc for international domain names. */
#define WITH_BMP 1
#define WITH_GIF 1
#define WITH_UTF8PROC 1

/* The framebuffer front end: its resources (Messages, default.css ...)
 * are in the files archive under /netsurf (module.yaml files:), the fonts
 * under /fonts; text goes through the gfx module (font_anunix.c). */
#define nsframebuffer 1
#define small 1
#define NETSURF_FB_RESPATH "/netsurf"
#define NETSURF_FB_FONTPATH "/fonts"
#define FB_USE_ANUNIX 1

#endif
