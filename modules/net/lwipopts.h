/*
 * lwIP configuration for Anunix (see lwip/opt.h for every option).
 *
 * Threading: NO_SYS=0 with the tcpip thread, and core locking: any thread
 * may call the raw/core API between LOCK_TCPIP_CORE() and
 * UNLOCK_TCPIP_CORE(); netconn calls take the lock themselves and run
 * directly instead of posting to the tcpip thread. Received frames are
 * processed in the NIC driver's receive thread under the same lock.
 */
#ifndef ANX_LWIPOPTS_H
#define ANX_LWIPOPTS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define LWIP_NETCONN 1
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define LWIP_COMPAT_MUTEX 0

/* Memory: pbufs and other variable blocks from the core's heap; fixed pools
 * for PCBs, segments and messages. */
#define MEM_LIBC_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_MEM_MALLOC 0
#define MEMP_NUM_PBUF 128
#define MEMP_NUM_RAW_PCB 8
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 128
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 512
#define MEMP_NUM_REASSDATA 8
#define MEMP_NUM_FRAG_PBUF 16
#define MEMP_NUM_NETBUF 64
#define MEMP_NUM_NETCONN 144
#define MEMP_NUM_TCPIP_MSG_API 64
#define MEMP_NUM_TCPIP_MSG_INPKT 256
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 16)
#define PBUF_POOL_SIZE 256
#define PBUF_LINK_HLEN 14
#define ETH_PAD_SIZE 0

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0      /* the ARP probe costs seconds at boot */
#define LWIP_DHCP_GET_NTP_SRV 0
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define DNS_TABLE_SIZE 8
#define LWIP_DNS_SECURE (LWIP_DNS_SECURE_RAND_XID | LWIP_DNS_SECURE_NO_MULTIPLE_OUTSTANDING | LWIP_DNS_SECURE_RAND_SRC_PORT)

/* TCP. */
#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define LWIP_WND_SCALE 0
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 64
#define LWIP_TCP_KEEPALIVE 1
#define SO_REUSE 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 0
#define LWIP_SO_LINGER 0
#define LWIP_CHECKSUM_ON_COPY 1

/* Interfaces. */
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_TX_SINGLE_PBUF 1
#define LWIP_SINGLE_NETIF 0
/* 127.0.0.1 (lwIP's loopback interface) and the image's own address loop
 * back inside the stack: a module reaches the image's own server (a kiosk
 * showing the router's pages) without a wire. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 64

/* Threads and mailboxes. */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE (32 * 1024)
#define TCPIP_THREAD_PRIO 1
#define TCPIP_MBOX_SIZE 256
#define DEFAULT_THREAD_STACKSIZE (16 * 1024)
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define DEFAULT_UDP_RECVMBOX_SIZE 32
#define DEFAULT_TCP_RECVMBOX_SIZE 128
#define DEFAULT_ACCEPTMBOX_SIZE 64

/* Statistics (netstat) and debugging. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MIB2_STATS 0
#define LWIP_PROVIDE_ERRNO 1

#endif
