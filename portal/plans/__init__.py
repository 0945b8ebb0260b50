"""一校一规划 (school development plans): goals by the nine dimensions, milestones, approval, progress."""
