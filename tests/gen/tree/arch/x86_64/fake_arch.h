/* The fake arch's interface to its boards, as arch/x86_64/x86.h is the real
 * one's. platforms/fake/board.c includes it by bare name: anx gives platform
 * and arch sources -Iarch/ARCH, and modules nothing of the sort
 * (modules/archpeek, tests/gen/run.sh). */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

void fake_board_init(void);

#endif
