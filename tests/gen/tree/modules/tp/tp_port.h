/* The module's own header that the third-party sources include (like lwIP's lwipopts.h). */
#define TP_PORT_VALUE 42
