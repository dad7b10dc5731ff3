print("crash harness")
