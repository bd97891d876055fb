"""Scale-out: two replicas of one service, as real `nameko run` processes, share the work of one broker;
killing one in the middle of a load loses nothing and duplicates nothing."""
