//! Video calls' pure rules. FOUNDATION: the call helper writes them.
