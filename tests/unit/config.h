/* The generated config.h stand-in for host unit tests. */
#define CONFIG_IMAGE_NAME "unit"
#define CONFIG_PLATFORM "host"
#define CONFIG_ARCH "host"
#define CONFIG_MEMORY 67108864ULL
#define CONFIG_CPUS 1
#define CONFIG_CMDLINE ""
#define CONFIG_MANIFEST_SHA256 "0"
#define CONFIG_SHELL_HISTORY 4
#define CONFIG_SHELL_PROMPT "anx> "
#define CONFIG_CONSOLE_ECHO 1
