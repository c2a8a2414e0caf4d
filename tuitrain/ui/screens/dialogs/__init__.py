"""Modal dialogs: confirmations, the layer/callback/step forms, the option and open-preset dialogs.
"""
