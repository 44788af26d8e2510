"""JupyterLab for the workbooks, as ``./run lab`` starts it.

Notebooks are saved without outputs, execution counts or widget state, so no
client's words are left in them.
"""

c = get_config()  # noqa: F821 (Jupyter's config loader provides it)
c.ContentsManager.pre_save_hook = "worksheets_lib.lab_hooks.strip_outputs"
