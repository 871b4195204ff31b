"""Text lessons (tokens, embeddings, next-token prediction, prompting), computed offline.

    corpus      the small Korean/English corpus shipped in data/corpus/ and its held-out split
    tokenizing  characters, whitespace words, BPE (Hugging Face `tokenizers`), UTF-8 bytes
    analysis    the measurements of the tokenization page
    lm          the tiny Keras next-token model, trained live, and the store that shares it
    sampling    temperature, top-k, entropy, sampling, generation
    embedding   lookup vs one-hot, neighbours, group purity, 2-D projection
    chat        messages, the optional OpenAI-compatible API, the local stand-in
    render      tokens as HTML chips for the pages

Nothing here imports streamlit, and nothing downloads anything.
"""
