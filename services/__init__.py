import warnings

# eventlet announces on import that it is in bug-fix-only mode; ARCHITECTURE.md pins it knowingly
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
