/**
 * Known-answer vectors for the RFC 6962 Merkle tree (test data only; not exported from the
 * package). Hashes are lowercase hex.
 *
 * Source: the Certificate Transparency reference vectors, as kept by Trillian and now by
 * github.com/transparency-dev/merkle (Apache-2.0):
 * - `proof/verify_test.go`: the 8 leaves, the roots of sizes 1..8, inclusion and consistency
 *   proofs (there leaf numbers are 1-based: `{1, 8, ...}` is leaf index 0; converted here);
 * - `rfc6962/rfc6962_test.go`: the empty root and leaf hashes;
 * - `proof/proof_test.go`: which stored nodes (level, index) a proof is built from.
 */

/** Leaf data (hex) of the 8-leaf reference tree. */
export const RFC6962_LEAVES: readonly string[] = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

/** Roots of the reference tree of size 0..8 (index = size; size 0 is SHA-256("")). */
export const RFC6962_ROOTS: readonly string[] = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Leaf-hash known answers: SHA-256(0x00 || data), data in hex. */
export const RFC6962_LEAF_HASHES: readonly { readonly data: string; readonly hash: string }[] = [
  { data: '', hash: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d' },
  // "L123456"
  { data: '4c313233343536', hash: '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56' },
];

/** Inclusion proofs in the reference tree (0-based leaf index). */
export const RFC6962_INCLUSION_PROOFS: readonly {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly proof: readonly string[];
}[] = [
  { leafIndex: 0, treeSize: 1, proof: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    leafIndex: 2,
    treeSize: 3,
    proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
  },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** Consistency proofs in the reference tree. */
export const RFC6962_CONSISTENCY_PROOFS: readonly {
  readonly size1: number;
  readonly size2: number;
  readonly proof: readonly string[];
}[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

/** A stored node, [level, index]. */
export type NodeId = readonly [level: number, index: number];

/**
 * The stored nodes an inclusion proof is built from (as a set: ragged right-edge subtrees
 * are folded from several of them), from `proof/proof_test.go` TestInclusion.
 */
export const RFC6962_INCLUSION_NODES: readonly {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly nodes: readonly NodeId[];
}[] = [
  { treeSize: 1, leafIndex: 0, nodes: [] },
  { treeSize: 2, leafIndex: 0, nodes: [[0, 1]] },
  { treeSize: 2, leafIndex: 1, nodes: [[0, 0]] },
  { treeSize: 3, leafIndex: 1, nodes: [[0, 0], [0, 2]] },
  { treeSize: 7, leafIndex: 0, nodes: [[0, 1], [1, 1], [0, 6], [1, 2]] },
  { treeSize: 7, leafIndex: 1, nodes: [[0, 0], [1, 1], [0, 6], [1, 2]] },
  { treeSize: 7, leafIndex: 2, nodes: [[0, 3], [1, 0], [0, 6], [1, 2]] },
  { treeSize: 7, leafIndex: 3, nodes: [[0, 2], [1, 0], [0, 6], [1, 2]] },
  { treeSize: 7, leafIndex: 4, nodes: [[0, 5], [0, 6], [2, 0]] },
  { treeSize: 7, leafIndex: 5, nodes: [[0, 4], [0, 6], [2, 0]] },
  { treeSize: 7, leafIndex: 6, nodes: [[1, 2], [2, 0]] },
  { treeSize: 4, leafIndex: 2, nodes: [[0, 3], [1, 0]] },
  { treeSize: 5, leafIndex: 3, nodes: [[0, 2], [1, 0], [0, 4]] },
  { treeSize: 6, leafIndex: 3, nodes: [[0, 2], [1, 0], [1, 2]] },
  { treeSize: 6, leafIndex: 4, nodes: [[0, 5], [2, 0]] },
  { treeSize: 15, leafIndex: 10, nodes: [[0, 11], [1, 4], [0, 14], [1, 6], [3, 0]] },
  { treeSize: 31, leafIndex: 24, nodes: [[0, 25], [1, 13], [0, 30], [1, 14], [3, 2], [4, 0]] },
  { treeSize: 95, leafIndex: 81, nodes: [[0, 80], [1, 41], [2, 21], [0, 94], [1, 46], [2, 22], [4, 4], [6, 0]] },
];

/** The stored nodes a consistency proof is built from, from `proof/proof_test.go` TestConsistency. */
export const RFC6962_CONSISTENCY_NODES: readonly {
  readonly size1: number;
  readonly size2: number;
  readonly nodes: readonly NodeId[];
}[] = [
  { size1: 1, size2: 2, nodes: [[0, 1]] },
  { size1: 1, size2: 4, nodes: [[0, 1], [1, 1]] },
  { size1: 1, size2: 6, nodes: [[0, 1], [1, 1], [1, 2]] },
  { size1: 2, size2: 3, nodes: [[0, 2]] },
  { size1: 2, size2: 8, nodes: [[1, 1], [2, 1]] },
  { size1: 3, size2: 7, nodes: [[0, 2], [0, 3], [1, 0], [0, 6], [1, 2]] },
  { size1: 4, size2: 7, nodes: [[0, 6], [1, 2]] },
  { size1: 5, size2: 7, nodes: [[0, 4], [0, 5], [0, 6], [2, 0]] },
  { size1: 6, size2: 7, nodes: [[1, 2], [0, 6], [2, 0]] },
  { size1: 7, size2: 8, nodes: [[0, 6], [0, 7], [1, 2], [2, 0]] },
  { size1: 1, size2: 1, nodes: [] },
  { size1: 5, size2: 5, nodes: [] },
  { size1: 8, size2: 8, nodes: [] },
  { size1: 2, size2: 4, nodes: [[1, 1]] },
  { size1: 3, size2: 5, nodes: [[0, 2], [0, 3], [1, 0], [0, 4]] },
  { size1: 3, size2: 6, nodes: [[0, 2], [0, 3], [1, 0], [1, 2]] },
  { size1: 4, size2: 6, nodes: [[1, 2]] },
  { size1: 1, size2: 7, nodes: [[0, 1], [1, 1], [0, 6], [1, 2]] },
  { size1: 10, size2: 15, nodes: [[1, 4], [1, 5], [0, 14], [1, 6], [3, 0]] },
  { size1: 24, size2: 31, nodes: [[3, 2], [0, 30], [1, 14], [2, 6], [4, 0]] },
  { size1: 81, size2: 95, nodes: [[0, 80], [0, 81], [1, 41], [2, 21], [0, 94], [1, 46], [2, 22], [4, 4], [6, 0]] },
];
