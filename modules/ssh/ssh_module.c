/*
 * ssh in an image: so far only the transport layer (ssh_transport.h and
 * the files it includes), which a server thread will drive. There is no
 * listener yet, so init has nothing to do and says nothing (docs/ssh.md).
 */
#include <anx/module.h>

static int ssh_init(void) { return 0; }

ANX_MODULE(ssh, .init = ssh_init);
