// Time of one MPI sum of a gradient bucket between the processes mpirun starts, as
// DistributedDataParallel runs it (MPI_Iallreduce in place, then MPI_Wait) and as the
// blocking MPI_Allreduce would: the CNN's two buckets (its convolutions' gradients, its
// classifier's) and its whole gradient, in floats.
//   mpicc -O2 Benchmarks/allreduce.c -o /tmp/allreduce
//   mpirun -np 2 /tmp/allreduce                                              # Open MPI's choice
//   OMPI_MCA_coll_libnbc_iallreduce_algorithm=1 mpirun -np 2 /tmp/allreduce  # ring, Ember's default
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    const int counts[] = {18816, 402826, 421642};
    const int rounds = 2000;
    for (int c = 0; c < 3; c++) {
        float *x = calloc(counts[c], sizeof(float));
        for (int blocking = 1; blocking >= 0; blocking--) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            for (int r = 0; r < rounds; r++) {
                if (blocking) {
                    MPI_Allreduce(MPI_IN_PLACE, x, counts[c], MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
                } else {
                    MPI_Request request;
                    MPI_Iallreduce(MPI_IN_PLACE, x, counts[c], MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
                    MPI_Wait(&request, MPI_STATUS_IGNORE);
                }
            }
            double us = (MPI_Wtime() - start) / rounds * 1e6;
            if (rank == 0) printf("%7d floats  %-22s %8.1f us\n", counts[c], blocking ? "MPI_Allreduce" : "MPI_Iallreduce + Wait", us);
        }
        free(x);
    }
    MPI_Finalize();
    return 0;
}
