# Run by llama.cpp's own project() call, in its directory (scripts/test.sh passes it as
# CMAKE_PROJECT_llama.cpp_INCLUDE when it builds llama-cpp-python).
#
# llama-cpp-python forces LLAMA_BUILD_COMMON ON in the CMake cache, yet its Python package
# never loads libllama-common: the OpenAI-compatible server only needs libllama and ggml.
# A normal variable set here shadows that cache entry inside llama.cpp's directory
# (option() leaves it alone under policy CMP0077), so the common library and the HTTP
# client only it uses are not compiled: about 45% of the compile work.
set(LLAMA_BUILD_COMMON OFF)
