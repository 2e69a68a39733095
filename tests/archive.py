"""A small fixture archive: a handful of papers chosen so that each search test has one right answer."""

from __future__ import annotations

from pathlib import Path

from papermirror.content.paper import Paper
from papermirror.content.paperfile import write_paper

PAPERS = (
    Paper(
        id="2111.06377",
        title="Masked Autoencoders Are Scalable Vision Learners",
        authors=("Kaiming He", "Xinlei Chen", "Saining Xie"),
        published="2021-11-11",
        daily=("2021-11-12",),
        abstract="This paper shows that masked autoencoders (MAE) are scalable self-supervised learners for "
        "computer vision. We mask random patches of the input image and reconstruct the missing pixels.",
        upvotes=120,
        organization="Meta",
        github_repo="https://github.com/facebookresearch/mae",
        ai_keywords=("masked autoencoder", "self-supervised learning", "vision transformer", "masked image modeling"),
        ai_summary="Masking most patches of an image and reconstructing them pre-trains big vision models.",
    ),
    Paper(
        id="2312.00752",
        title="Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        authors=("Albert Gu", "Tri Dao"),
        published="2023-12-01",
        daily=("2023-12-04",),
        abstract="Foundation models are almost universally based on the Transformer architecture. We identify "
        "that a key weakness of subquadratic models is their inability to perform content-based reasoning.",
        upvotes=310,
        organization="CMU",
        github_repo="https://github.com/state-spaces/mamba",
        ai_keywords=("state space model", "selective scan", "sequence modeling"),
    ),
    Paper(
        id="2405.14908",
        title="Data Mixing Made Efficient: A Bivariate Scaling Law for Language Model Pretraining",
        authors=("Ce Ge", "Zhijian Ma", "Daoyuan Chen"),
        published="2024-05-23",
        daily=("2024-05-27",),
        abstract="Large language models exhibit exceptional generalization. We propose a unified scaling law, "
        "termed BiMix, which models the bivariate scaling of data quantity and mixing proportions.",
        upvotes=7,
        ai_keywords=("scaling law", "data mixture"),
    ),
    Paper(
        id="2502.01234",
        title="Scaling $O(n^2)$ Attention with $\\mathcal{L}_1$ Sparsity for Masked Image Pretraining",
        authors=("Ada Lovelace", "Alan Turing"),
        published="2025-02-03",
        daily=("2025-02-04",),
        abstract="Quadratic attention limits masked image pretraining at high resolution. A sparsity penalty "
        "makes it tractable and keeps linear probing accuracy; the zanzibarite trick is the key.",
        upvotes=42,
        organization="Analytical Engines",
        ai_keywords=("sparse attention", "masked image modeling"),
    ),
    Paper(
        id="2503.05678",
        title="<script>alert('xss')</script> Robust Tokenizers for Web Text Pretraining",
        authors=("Grace Hopper",),
        published="2025-03-07",
        daily=("2025-03-10",),
        abstract="Web pages are full of markup such as <b>bold</b> and <script> tags. We pretrain tokenizers "
        "that stay robust when crawled text carries raw markup.",
        upvotes=3,
        ai_keywords=("tokenizer", "web crawl"),
    ),
)
"""Ids by role: 2111.06377 masked autoencoders (most matches), 2312.00752 Mamba (most upvoted),
2502.01234 math in the title and the only abstract with 'zanzibarite', 2503.05678 <script> title
(newest)."""


def write_archive(content_dir: Path, papers: tuple[Paper, ...] = PAPERS) -> None:
    """Write `papers` into content_dir/papers as the snapshot stage would."""
    for paper in papers:
        write_paper(content_dir, paper)
