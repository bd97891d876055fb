import warnings

# eventlet announces on import that it is in bug-fix-only mode; ARCHITECTURE.md pins it knowingly
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
# nameko's CLI imports pkg_resources; setuptools is pinned below the release that removes it
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
