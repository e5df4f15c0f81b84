"""What a batch's worker forkserver imports once (multiprocessing's forkserver preload takes module names),
so that every worker forked from it starts with the stages' set-up done (pipeline.process.warm_up)."""

from pipeline.process import warm_up

warm_up()
