"""Data exchange with the other departments (数据交换, seeds 001 §10 §14, 004 §6 §12).

`base` says what a feed is; `kinds/` holds one module per department file (公安, 卫健, 教育, …),
each registering itself; the flow (upload → staged → preview → confirm → job → report → audit)
is the same for every kind and knows none of them by name.
"""
