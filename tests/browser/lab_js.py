"""JavaScript the browser tests evaluate in JupyterLab (needs ``expose_app_in_browser``)."""

# True once the notebook ``name`` is the current widget and its kernel is connected and idle. The
# "Idle" status shows before a kernel exists; running cells then opens a "Select Kernel" dialog.
KERNEL_READY_JS = """(name) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name || !w.sessionContext) return false;
  const session = w.sessionContext.session;
  const kernel = session && session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
