/*
 * The least a thread can do to run every 20 ms: sleep to absolute deadlines (origin + n x 20 ms) with
 * clock_nanosleep(TIMER_ABSTIME) and do nothing when it wakes. Its CPU time is what the kernel and the virtual
 * machine charge for one wake per audio frame; bench/call-cpu-floor.ts compiles it with the system's C compiler,
 * runs it and reads /proc/<pid>/schedstat. It runs until it is killed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <time.h>

#define PERIOD_NS 20000000L

int main(void) {
  struct timespec due;
  if (clock_gettime(CLOCK_MONOTONIC, &due) != 0) {
    perror("clock_gettime");
    return 1;
  }
  for (;;) {
    due.tv_nsec += PERIOD_NS;
    if (due.tv_nsec >= 1000000000L) {
      due.tv_nsec -= 1000000000L;
      due.tv_sec += 1;
    }
    /* Returns the error number itself; EINTR (a signal) just sleeps again to the same deadline. */
    int error;
    while ((error = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL)) == EINTR) {
    }
    if (error != 0) {
      fprintf(stderr, "clock_nanosleep: error %d\n", error);
      return 1;
    }
  }
}
