from diffforge.cli import main

main()
