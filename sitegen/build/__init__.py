"""Build (生成): the pipeline that runs the stages top to bottom (`pipeline`), one run at a time (`lock`), and
the scope of one town or village (`scope`)."""
