// Build: gcc -O2 -pthread -o pingpong benchmarks/probes/pingpong.c (docs/PERFORMANCE.md, "The two speed states")
// Cache-line ping-pong between CPU 0 and CPU 1: min and median round trip (ns) over batches.
// The minimum is robust to load (a batch when both threads ran); prints one line.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static _Alignas(128) atomic_long flag;
static int N = 2000, B = 200;
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void* other(void*a){pin(1);for(long i=0;i<(long)N*B;i++){while(atomic_load_explicit(&flag,memory_order_acquire)!=2*i+1);atomic_store_explicit(&flag,2*i+2,memory_order_release);}return 0;}
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(){pthread_t t;pin(0);pthread_create(&t,0,other,0);double r[200];long k=0;
 for(int b=0;b<B;b++){double t0=now();for(int i=0;i<N;i++,k++){atomic_store_explicit(&flag,2*k+1,memory_order_release);while(atomic_load_explicit(&flag,memory_order_acquire)!=2*k+2);}r[b]=(now()-t0)/N;}
 pthread_join(t,0);qsort(r,B,sizeof r[0],cmp);printf("roundtrip_ns min %.0f p10 %.0f median %.0f\n",r[0],r[B/10],r[B/2]);return 0;}
