// Build: gcc -O2 -pthread -o xread benchmarks/probes/xread.c (docs/PERFORMANCE.md, "The two speed states")
// Cost of reading a buffer just written by another core vs by the same core (the GEMM's second
// thread reading the im2col chunk the first thread wrote). Buffer = one VGG im2col chunk (4.7 MB).
// Writer pinned to CPU 0; reader pinned to CPU 1 (remote) or CPU 0 (local). Min over reps: robust to load.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define BYTES (2*1024*576*4)
static float *buf; static volatile float sink;
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static double rd(){double t0=now();float s=0;size_t n=BYTES/4;for(size_t i=0;i<n;i+=16)s+=buf[i];sink=s;return now()-t0;}  // one load per 64-byte line
static void wr(float v){size_t n=BYTES/4;for(size_t i=0;i<n;i++)buf[i]=v;}
struct job{int cpu;double t;float v;int write;};
static void* run(void*a){struct job*j=a;pin(j->cpu);if(j->write)wr(j->v);else j->t=rd();return 0;}
static double on(int cpu,int write,float v){pthread_t t;struct job j={cpu,0,v,write};pthread_create(&t,0,run,&j);pthread_join(t,0);return j.t;}
int main(int c,char**v){int R=c>1?atoi(v[1]):40;buf=aligned_alloc(4096,BYTES);memset(buf,0,BYTES);
 double lmin=1e18,rmin=1e18,omin=1e18;
 for(int r=0;r<R;r++){double t;
  on(0,1,r);t=on(0,0,0);if(t<lmin)lmin=t;          // written by CPU0, read by CPU0
  on(0,1,r);t=on(1,0,0);if(t<rmin)rmin=t;          // written by CPU0, read by CPU1
  t=on(1,0,0);if(t<omin)omin=t;}                   // read again by CPU1 (now clean / local)
 printf("read 4.7MB (1 load per line): local-dirty %.0f us, remote-dirty %.0f us, remote-clean-again %.0f us; remote/local %.2f\n",lmin/1e3,rmin/1e3,omin/1e3,rmin/lmin);return 0;}
