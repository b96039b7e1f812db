// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The verifier the rollup calls: Groth16Verifier.sol (one public input, snarkjs's signature).
interface IGroth16Verifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[1] calldata pubSignals
    ) external view returns (bool);
}

interface IERC20Minimal {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title zkclear settlement: state root, deposit queue, proven batches, claimable withdrawals.
/// @notice A batch moves the state root from `stateRoot` to `newRoot`. Its single public input is
///         commitment = uint256(sha256(oldRoot ‖ newRoot ‖ pubdata)) & (2^253 - 1): the big-endian
///         digest read as a uint256 with its top three bits cleared, hence below r. pubdata is a
///         sequence of fixed-width records (verifier/contracts/PUBDATA.md); the contract reads only
///         deposits (which must consume the on-chain queue in order) and withdrawals (made claimable).
///         The rollup holds one asset, the exchange's collateral (asset id 0 in the records): ETH or an
///         ERC-20 token fixed at deployment, since the circuit credits and debits asset 0 only; any
///         other deposit would sit in the queue unconsumable and stall it. Amounts are in quanta of the
///         collateral; a claim pays amount × quantum.
contract ZkClearRollup {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// Low 253 bits: the batch commitment's truncation mask.
    uint256 public constant COMMITMENT_MASK = 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
    /// Byte i is the width in bytes (op code included) of a record with op code i; 0 = unknown op code.
    /// Kept equal to verifier/pubdata_layout.py by a test.
    bytes32 public constant OP_WIDTHS = 0x012f2317140a0e10150000000000000000000000000000000000000000000000;
    /// OP_WIDTHS for the records the contract skips, 0x80 ("stop") for deposits, withdrawals and unknown
    /// op codes: the skip loop then needs one table lookup and one test per record.
    bytes32 public constant SKIP_WIDTHS = 0x01808017140a0e10158080808080808080808080808080808080808080808080;
    uint256 internal constant OP_DEPOSIT = 1;
    uint256 internal constant OP_WITHDRAW = 2;
    /// Deposit record bytes [1, 43): l2Key (32) ‖ asset (2) ‖ amount (8), hashed into the queue.
    uint256 internal constant DEPOSIT_QUEUED_BYTES = 42;
    /// Masks of every other 8-, 16-, 32- and 64-bit group, for reversing the bytes of a word.
    uint256 internal constant MASK_8 = 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
    uint256 internal constant MASK_16 = 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
    uint256 internal constant MASK_32 = 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
    uint256 internal constant MASK_64 = 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
    /// The only asset id the exchange circuit knows: its collateral.
    uint16 public constant COLLATERAL_ASSET = 0;

    IGroth16Verifier public immutable verifier;
    /// The collateral: address(0) for ETH, else an ERC-20 token.
    address public immutable collateralToken;
    /// Base units (wei, token units) per unit of L2 amount.
    uint64 public immutable quantum;
    bytes32 public stateRoot;
    uint64 public batchNumber; // batches settled so far
    uint64 public depositHead; // index of the next deposit a batch must consume
    uint64 public depositTail; // number of deposits ever queued
    address public owner;
    address public pendingOwner;
    address public operator;
    address public pendingOperator;
    mapping(uint256 => bytes32) public depositHashes;
    /// recipient => amount in quanta of the collateral, credited by settled withdrawals.
    mapping(address => uint256) public claimable;

    event DepositQueued(uint64 indexed index, address indexed sender, uint256 l2Key, uint64 amount);
    event BatchSettled(
        uint64 indexed batchNumber, bytes32 oldRoot, bytes32 newRoot, uint256 commitment, uint64 depositHead
    );
    event WithdrawalClaimable(address indexed recipient, uint64 amount);
    event WithdrawalClaimed(address indexed recipient, uint256 value);
    event OperatorProposed(address indexed proposed);
    event OperatorChanged(address indexed previous, address indexed current);
    event OwnershipProposed(address indexed proposed);
    event OwnershipTransferred(address indexed previous, address indexed current);

    error NotOwner();
    error NotOperator();
    error NotPendingOwner();
    error NotPendingOperator();
    error ZeroAddress();
    error NotInField();
    error InvalidProof();
    error UnknownOp(uint256 offset, uint256 opCode);
    error PubdataTruncated();
    error DepositQueueExhausted(uint256 offset);
    error DepositMismatch(uint64 index);
    error UnknownAsset(uint16 asset);
    error WrongCollateral();
    error BadL2Key();
    error BadAmount();
    error NothingToClaim();
    error TransferFailed();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @param collateralToken_ address(0) for ETH collateral, else the ERC-20 collateral token.
    /// @param quantum_ base units (wei, token units) per unit of L2 amount.
    constructor(
        IGroth16Verifier verifier_,
        bytes32 genesisRoot,
        address operator_,
        address collateralToken_,
        uint64 quantum_
    ) {
        if (address(verifier_) == address(0) || operator_ == address(0)) revert ZeroAddress();
        if (uint256(genesisRoot) >= R) revert NotInField();
        if (quantum_ == 0) revert BadAmount();
        verifier = verifier_;
        collateralToken = collateralToken_;
        quantum = quantum_;
        stateRoot = genesisRoot;
        owner = msg.sender;
        operator = operator_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit OperatorChanged(address(0), operator_);
    }

    // ------------------------------------------------------------------ batches

    /// @notice Settle a proven batch: check the proof of the commitment, consume queued deposits, credit
    ///         withdrawals, then move the root. Only the operator may submit.
    function submitBatch(
        bytes32 newRoot,
        bytes calldata pubdata,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external {
        if (msg.sender != operator) revert NotOperator();
        if (uint256(newRoot) >= R) revert NotInField();
        bytes32 oldRoot = stateRoot;
        uint256 commitment = batchCommitment(oldRoot, newRoot, pubdata);
        if (!verifier.verifyProof(a, b, c, [commitment])) revert InvalidProof();
        uint64 head = _applyPubdata(pubdata);
        uint64 number = batchNumber;
        emit BatchSettled(number, oldRoot, newRoot, commitment, head);
        depositHead = head;
        batchNumber = number + 1;
        stateRoot = newRoot;
    }

    /// @notice uint256(sha256(oldRoot ‖ newRoot ‖ pubdata)) with the top 3 bits cleared (< 2^253 < r).
    function batchCommitment(bytes32 oldRoot, bytes32 newRoot, bytes calldata pubdata)
        public
        view
        returns (uint256 commitment)
    {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, oldRoot)
            mstore(add(buf, 0x20), newRoot)
            calldatacopy(add(buf, 0x40), pubdata.offset, pubdata.length)
            if iszero(staticcall(gas(), 0x02, buf, add(0x40, pubdata.length), 0x00, 0x20)) { revert(0, 0) }
            commitment := and(mload(0x00), COMMITMENT_MASK)
        }
    }

    /// Walks the records; returns the new deposit head. Reverts on an unknown op code, a record running
    /// past the end, a deposit out of queue order, or a withdrawal of an asset other than the collateral. Records the
    /// contract does not read (trades and the like) are skipped by a tight assembly loop.
    function _applyPubdata(bytes calldata pubdata) private returns (uint64 head) {
        head = depositHead;
        uint64 tail = depositTail;
        uint256 start = 0;
        uint256 end = pubdata.length;
        while (true) {
            assembly ("memory-safe") {
                let ptr := add(pubdata.offset, start)
                let limit := add(pubdata.offset, end)
                for {} lt(ptr, limit) {} {
                    let width := byte(shr(248, calldataload(ptr)), SKIP_WIDTHS)
                    if and(width, 0x80) { break }
                    ptr := add(ptr, width)
                }
                start := sub(ptr, pubdata.offset)
            }
            if (start >= end) {
                if (start > end) revert PubdataTruncated();
                return head;
            }
            uint256 op;
            uint256 width;
            assembly ("memory-safe") {
                op := shr(248, calldataload(add(pubdata.offset, start)))
                width := byte(op, OP_WIDTHS) // 0 for op codes past the table
            }
            if (width == 0) revert UnknownOp(start, op);
            if (start + width > end) revert PubdataTruncated();
            if (op == OP_DEPOSIT) {
                if (head == tail) revert DepositQueueExhausted(start);
                bytes32 queued = keccak256(pubdata[start + 1:start + 1 + DEPOSIT_QUEUED_BYTES]);
                if (queued != depositHashes[head]) revert DepositMismatch(head);
                head++;
            } else if (op == OP_WITHDRAW) {
                _creditWithdrawal(pubdata[start:start + width]);
            } else {
                revert UnknownOp(start, op); // only if SKIP_WIDTHS stopped at a record it should skip
            }
            start += width;
        }
    }

    /// Withdrawal record: op (1) ‖ account (4) ‖ recipient (20) ‖ asset (2) ‖ amount (8).
    function _creditWithdrawal(bytes calldata record) private {
        address recipient = address(bytes20(record[5:25]));
        uint16 asset = uint16(bytes2(record[25:27]));
        uint64 amount = uint64(bytes8(record[27:35]));
        if (asset != COLLATERAL_ASSET) revert UnknownAsset(asset);
        claimable[recipient] += amount;
        emit WithdrawalClaimable(recipient, amount);
    }

    // ------------------------------------------------------------------ deposits

    /// @notice Queue an ETH deposit to the L2 owner `l2Key` (its packed Baby Jubjub key, see
    ///         isPackedKey); the collateral must be ETH and msg.value a positive multiple of the quantum.
    function depositEth(uint256 l2Key) external payable {
        if (collateralToken != address(0)) revert WrongCollateral();
        uint256 amount = msg.value / quantum;
        if (amount == 0 || msg.value % quantum != 0 || amount > type(uint64).max) revert BadAmount();
        _enqueue(l2Key, uint64(amount));
    }

    /// @notice Queue a deposit of `amount` quanta of the collateral token (needs an ERC-20 approval);
    ///         refused when the collateral is ETH.
    function depositToken(uint256 l2Key, uint64 amount) external {
        address token = collateralToken;
        if (token == address(0)) revert WrongCollateral();
        if (amount == 0) revert BadAmount();
        uint256 value = uint256(amount) * quantum;
        uint256 before = IERC20Minimal(token).balanceOf(address(this));
        _call(token, abi.encodeCall(IERC20Minimal.transferFrom, (msg.sender, address(this), value)));
        if (IERC20Minimal(token).balanceOf(address(this)) - before != value) revert BadAmount();
        _enqueue(l2Key, amount);
    }

    /// Queues keccak256(l2Key ‖ COLLATERAL_ASSET ‖ amount): the bytes a deposit record carries.
    function _enqueue(uint256 l2Key, uint64 amount) private {
        if (!isPackedKey(l2Key)) revert BadL2Key();
        uint64 index = depositTail;
        depositHashes[index] = keccak256(abi.encodePacked(l2Key, COLLATERAL_ASSET, amount));
        depositTail = index + 1;
        emit DepositQueued(index, msg.sender, l2Key, amount);
    }

    /// @notice Whether `l2Key` (32 bytes, read big-endian) can be a circomlib-packed Baby Jubjub key:
    ///         its bytes hold y little-endian, the top bit being the sign of x, and the circuit consumes
    ///         a deposit only for y < r. Any other key would stall the queue, so it is refused.
    function isPackedKey(uint256 l2Key) public pure returns (bool) {
        uint256 v = l2Key; // reverse the 32 bytes: v becomes the little-endian reading
        v = ((v >> 8) & MASK_8) | ((v & MASK_8) << 8);
        v = ((v >> 16) & MASK_16) | ((v & MASK_16) << 16);
        v = ((v >> 32) & MASK_32) | ((v & MASK_32) << 32);
        v = ((v >> 64) & MASK_64) | ((v & MASK_64) << 64);
        v = (v >> 128) | (v << 128);
        return (v & ((1 << 255) - 1)) < R; // drop the sign bit
    }

    // ------------------------------------------------------------------ withdrawals

    /// @notice Pay `recipient` everything claimable (anyone may trigger it; the funds go to the
    ///         recipient named in the batch). A second claim finds nothing and reverts.
    function claimWithdrawal(address recipient) external {
        uint256 amount = claimable[recipient];
        if (amount == 0) revert NothingToClaim();
        claimable[recipient] = 0;
        uint256 value = amount * quantum;
        address token = collateralToken;
        if (token == address(0)) {
            (bool ok,) = recipient.call{value: value}("");
            if (!ok) revert TransferFailed();
        } else {
            _call(token, abi.encodeCall(IERC20Minimal.transfer, (recipient, value)));
        }
        emit WithdrawalClaimed(recipient, value);
    }

    /// Calls an ERC-20 and requires success and, if it returns data, `true`.
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool))) || token.code.length == 0) {
            revert TransferFailed();
        }
    }

    // ------------------------------------------------------------------ governance

    /// @notice Step one of an operator change; the proposed address must call acceptOperator.
    function proposeOperator(address proposed) external onlyOwner {
        if (proposed == address(0)) revert ZeroAddress();
        pendingOperator = proposed;
        emit OperatorProposed(proposed);
    }

    function acceptOperator() external {
        if (msg.sender != pendingOperator) revert NotPendingOperator();
        emit OperatorChanged(operator, msg.sender);
        operator = msg.sender;
        pendingOperator = address(0);
    }

    /// @notice Step one of an ownership change; the proposed address must call acceptOwnership.
    function proposeOwner(address proposed) external onlyOwner {
        if (proposed == address(0)) revert ZeroAddress();
        pendingOwner = proposed;
        emit OwnershipProposed(proposed);
    }

    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner();
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }
}
