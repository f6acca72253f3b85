<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en">
<context>
    <name>AdjustmentsPage</name>
    <message>
        <source>Adjust a member's points</source>
        <translation>Adjust a member's points</translation>
    </message>
    <message>
        <source>Card or phone number (F2)</source>
        <translation>Card or phone number (F2)</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>Identify</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>e.g. +500 or -200</source>
        <translation>e.g. +500 or -200</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Why (required), e.g. points of a receipt scanned twice</source>
        <translation>Why (required), e.g. points of a receipt scanned twice</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Adjust (Enter)</source>
        <translation>Adjust (Enter)</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>Audit trail</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>All actions</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Only a store manager sees the audit trail: log in as a manager.</source>
        <translation>Only a store manager sees the audit trail: log in as a manager.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>No member identified</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>Balance: %1 points</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
    <message>
        <source>%1 points (%2), approved by %3. Balance now %4.</source>
        <translation>%1 points (%2), approved by %3. Balance now %4.</translation>
    </message>
    <message>
        <source>Points adjusted.</source>
        <translation>Points adjusted.</translation>
    </message>
    <message>
        <source>member %1</source>
        <translation>member %1</translation>
    </message>
</context>
<context>
    <name>AdjustmentsViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Enter the points as a signed whole number, e.g. +500 or -200.</source>
        <translation>Enter the points as a signed whole number, e.g. +500 or -200.</translation>
    </message>
    <message>
        <source>A reason is required.</source>
        <translation>A reason is required.</translation>
    </message>
    <message>
        <source>Adjust the points of %1 (%2) by %3. Reason: %4. A store manager must approve.</source>
        <translation>Adjust the points of %1 (%2) by %3. Reason: %4. A store manager must approve.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Cashier: %1</source>
        <translation>Cashier: %1</translation>
    </message>
    <message>
        <source>Shift: %1</source>
        <translation>Shift: %1</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>Printer: %1</source>
        <translation>Printer: %1</translation>
    </message>
    <message>
        <source>not set up</source>
        <translation>not set up</translation>
    </message>
    <message>
        <source>Scanner: %1</source>
        <translation>Scanner: %1</translation>
    </message>
    <message>
        <source>keyboard</source>
        <translation>keyboard</translation>
    </message>
    <message>
        <source>Camera: %1</source>
        <translation>Camera: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>(%1)</source>
        <translation>(%1)</translation>
    </message>
    <message>
        <source>file</source>
        <translation>file</translation>
    </message>
    <message>
        <source>(%1 queued)</source>
        <translation>(%1 queued)</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>on</source>
        <translation>on</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>starting</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>not found</translation>
    </message>
    <message>
        <source>lost</source>
        <translation>lost</translation>
    </message>
    <message>
        <source>no decoder</source>
        <translation>no decoder</translation>
    </message>
    <message>
        <source>DATABASE DAMAGED: nothing is written; restore the last checked backup</source>
        <translation>DATABASE DAMAGED: nothing is written; restore the last checked backup</translation>
    </message>
    <message>
        <source>Sync: %1 waiting, last %2</source>
        <translation>Sync: %1 waiting, last %2</translation>
    </message>
    <message>
        <source>Backup failed: %1</source>
        <translation>Backup failed: %1</translation>
    </message>
    <message>
        <source>Loyalty checkout</source>
        <translation>Loyalty checkout</translation>
    </message>
    <message>
        <source>Checkout</source>
        <translation>Checkout</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Gifts</source>
        <translation>Gifts</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>Adjustments</source>
        <translation>Adjustments</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <source>e.g. 9001</source>
        <translation>e.g. 9001</translation>
    </message>
    <message>
        <source>Manager number</source>
        <translation>Manager number</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>Manager PIN</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Approve (Enter)</source>
        <translation>Approve (Enter)</translation>
    </message>
    <message>
        <source>Enter the manager's number and PIN.</source>
        <translation>Enter the manager's number and PIN.</translation>
    </message>
</context>
<context>
    <name>AwardDialog</name>
    <message>
        <source>Award points</source>
        <translation>Award points</translation>
    </message>
    <message>
        <source>An award for %1: choose what they did</source>
        <translation>An award for %1: choose what they did</translation>
    </message>
    <message>
        <source>%1: %2 points</source>
        <translation>%1: %2 points</translation>
    </message>
    <message>
        <source>What they did, e.g. the survey's name</source>
        <translation>What they did, e.g. the survey's name</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Award (Enter)</source>
        <translation>Award (Enter)</translation>
    </message>
    <message>
        <source>Choose an award first.</source>
        <translation>Choose an award first.</translation>
    </message>
</context>
<context>
    <name>Awards</name>
    <message>
        <source>Sign-up</source>
        <translation>Sign-up</translation>
    </message>
    <message>
        <source>Profile completed</source>
        <translation>Profile completed</translation>
    </message>
    <message>
        <source>Referral</source>
        <translation>Referral</translation>
    </message>
    <message>
        <source>Survey</source>
        <translation>Survey</translation>
    </message>
    <message>
        <source>Review with a photo</source>
        <translation>Review with a photo</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Share</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>Check-in</translation>
    </message>
</context>
<context>
    <name>CameraView</name>
    <message>
        <source>Camera not set up</source>
        <translation>Camera not set up</translation>
    </message>
    <message>
        <source>Starting camera…</source>
        <translation>Starting camera…</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>No camera</translation>
    </message>
    <message>
        <source>Camera lost, reconnecting…</source>
        <translation>Camera lost, reconnecting…</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>Camera off</translation>
    </message>
    <message>
        <source>Barcode decoder not available</source>
        <translation>Barcode decoder not available</translation>
    </message>
</context>
<context>
    <name>CashUpDialog</name>
    <message>
        <source>Cash-up and close shift</source>
        <translation>Cash-up and close shift</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Sales</translation>
    </message>
    <message>
        <source>Float</source>
        <translation>Float</translation>
    </message>
    <message>
        <source>Expected: %1</source>
        <translation>Expected: %1</translation>
    </message>
    <message>
        <source>Cash counted in the drawer, e.g. 1250.00</source>
        <translation>Cash counted in the drawer, e.g. 1250.00</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>Cash counted</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>Difference</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Close shift (Enter)</source>
        <translation>Close shift (Enter)</translation>
    </message>
    <message>
        <source>%1 over</source>
        <translation>%1 over</translation>
    </message>
    <message>
        <source>%1 short</source>
        <translation>%1 short</translation>
    </message>
    <message>
        <source>No difference</source>
        <translation>No difference</translation>
    </message>
</context>
<context>
    <name>CheckoutPage</name>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>Send code (Ctrl+O)</source>
        <translation>Send code (Ctrl+O)</translation>
    </message>
    <message>
        <source>Product barcode or code (F3)</source>
        <translation>Product barcode or code (F3)</translation>
    </message>
    <message>
        <source>Or a plain amount, e.g. 58.50</source>
        <translation>Or a plain amount, e.g. 58.50</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Remove line</translation>
    </message>
    <message>
        <source>Discount (Ctrl+D)</source>
        <translation>Discount (Ctrl+D)</translation>
    </message>
    <message>
        <source>Suspend (Ctrl+H)</source>
        <translation>Suspend (Ctrl+H)</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Payment</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Coupon code</source>
        <translation>Coupon code</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Points to pay (F4)</source>
        <translation>Points to pay (F4)</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max</translation>
    </message>
    <message>
        <source>Pay with points</source>
        <translation>Pay with points</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Cash</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <source>To pay</source>
        <translation>To pay</translation>
    </message>
    <message>
        <source>Amount handed over (F11)</source>
        <translation>Amount handed over (F11)</translation>
    </message>
    <message>
        <source>Take</source>
        <translation>Take</translation>
    </message>
    <message>
        <source>Clear payments</source>
        <translation>Clear payments</translation>
    </message>
    <message>
        <source>Tendered</source>
        <translation>Tendered</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Points to earn</source>
        <translation>Points to earn</translation>
    </message>
    <message>
        <source>Complete sale (F12)</source>
        <translation>Complete sale (F12)</translation>
    </message>
    <message>
        <source>Choose a line of the basket first.</source>
        <translation>Choose a line of the basket first.</translation>
    </message>
    <message>
        <source>Sale suspended. Resume it from the list (Ctrl+U).</source>
        <translation>Sale suspended. Resume it from the list (Ctrl+U).</translation>
    </message>
    <message>
        <source>Resume (%1) Ctrl+U</source>
        <translation>Resume (%1) Ctrl+U</translation>
    </message>
    <message>
        <source>%1 still to pay</source>
        <translation>%1 still to pay</translation>
    </message>
    <message>
        <source>card scanned</source>
        <translation>card scanned</translation>
    </message>
    <message>
        <source>member code scanned</source>
        <translation>member code scanned</translation>
    </message>
    <message>
        <source>one-time code verified</source>
        <translation>one-time code verified</translation>
    </message>
    <message>
        <source>number typed: earns points; spending needs the card, member code or a one-time code</source>
        <translation>number typed: earns points; spending needs the card, member code or a one-time code</translation>
    </message>
    <message>
        <source>Offline: using this till's copy</source>
        <translation>Offline: using this till's copy</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>No member identified</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>Balance: %1 points</translation>
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation>(owes %1 points from a refund)</translation>
    </message>
    <message>
        <source>%1 points expire within %2 days (first on %3)</source>
        <translation>%1 points expire within %2 days (first on %3)</translation>
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation>%1 more points to %2</translation>
    </message>
    <message>
        <source>[new]</source>
        <translation>[new]</translation>
    </message>
    <message>
        <source>(discount %1)</source>
        <translation>(discount %1)</translation>
    </message>
    <message>
        <source>Up to %1 points</source>
        <translation>Up to %1 points</translation>
    </message>
    <message>
        <source>Identify a member to earn points</source>
        <translation>Identify a member to earn points</translation>
    </message>
    <message>
        <source>Eligible amount: %1</source>
        <translation>Eligible amount: %1</translation>
    </message>
    <message>
        <source>Multipliers: %1</source>
        <translation>Multipliers: %1</translation>
    </message>
    <message>
        <source>Purchase points: %1</source>
        <translation>Purchase points: %1</translation>
    </message>
    <message>
        <source>Bonus %1: +%2</source>
        <translation>Bonus %1: +%2</translation>
    </message>
    <message>
        <source>Capped at the most points one sale may earn</source>
        <translation>Capped at the most points one sale may earn</translation>
    </message>
    <message>
        <source>Daily earning cap reached: %1 points not credited; the sale is flagged for review</source>
        <translation>Daily earning cap reached: %1 points not credited; the sale is flagged for review</translation>
    </message>
    <message>
        <source>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</source>
        <translation>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</translation>
    </message>
    <message>
        <source>One-time code sent.</source>
        <translation>One-time code sent.</translation>
    </message>
    <message>
        <source>Code verified: the member may pay with points.</source>
        <translation>Code verified: the member may pay with points.</translation>
    </message>
    <message>
        <source>Check-in +%1</source>
        <translation>Check-in +%1</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
    <message>
        <source>Receipt %1: paid %2</source>
        <translation>Receipt %1: paid %2</translation>
    </message>
    <message>
        <source>change %1</source>
        <translation>change %1</translation>
    </message>
    <message>
        <source>%1 points credited, %2 redeemed, balance %3</source>
        <translation>%1 points credited, %2 redeemed, balance %3</translation>
    </message>
    <message>
        <source>Sale complete. The receipt is queued for printing.</source>
        <translation>Sale complete. The receipt is queued for printing.</translation>
    </message>
</context>
<context>
    <name>CheckoutViewModel</name>
    <message>
        <source>Receipt %1: refunds are made on the Refunds screen (F7).</source>
        <translation>Receipt %1: refunds are made on the Refunds screen (F7).</translation>
    </message>
    <message>
        <source>Complete or suspend the current sale first.</source>
        <translation>Complete or suspend the current sale first.</translation>
    </message>
    <message>
        <source>A discount above the store's limit (lines %1): a store manager must approve it.</source>
        <translation>A discount above the store's limit (lines %1): a store manager must approve it.</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve paying %3 points.</source>
        <translation>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve paying %3 points.</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
</context>
<context>
    <name>CustomerDisplayViewModel</name>
    <message>
        <source>day %1 of every month</source>
        <translation>day %1 of every month</translation>
    </message>
    <message>
        <source>every %1</source>
        <translation>every %1</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 to %2</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>from %1</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>until %1</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>%1 (%2): points ×%3</source>
        <translation>%1 (%2): points ×%3</translation>
    </message>
    <message>
        <source>%1: points ×%2</source>
        <translation>%1: points ×%2</translation>
    </message>
    <message>
        <source>: %1</source>
        <translation>: %1</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Members earn points: show your member code</source>
        <translation>Members earn points: show your member code</translation>
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation>%1 more points to %2</translation>
    </message>
    <message>
        <source>This sale makes you %1</source>
        <translation>This sale makes you %1</translation>
    </message>
    <message>
        <source>%1 more points for %2</source>
        <translation>%1 more points for %2</translation>
    </message>
    <message>
        <source>cap reached</source>
        <translation>cap reached</translation>
    </message>
    <message>
        <source>Thank you!</source>
        <translation>Thank you!</translation>
    </message>
    <message>
        <source>Become a member next time and earn points on every purchase.</source>
        <translation>Become a member next time and earn points on every purchase.</translation>
    </message>
    <message>
        <source>%1 points earned. Balance: %2 points.</source>
        <translation>%1 points earned. Balance: %2 points.</translation>
    </message>
    <message>
        <source>Welcome to %1!</source>
        <translation>Welcome to %1!</translation>
    </message>
</context>
<context>
    <name>CustomerDisplayWindow</name>
    <message>
        <source>Customer display</source>
        <translation>Customer display</translation>
    </message>
    <message>
        <source>Scan to join and earn points today</source>
        <translation>Scan to join and earn points today</translation>
    </message>
    <message>
        <source>Member offers</source>
        <translation>Member offers</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Points this sale</source>
        <translation>Points this sale</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <source>Your purchase</source>
        <translation>Your purchase</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Thank you</translation>
    </message>
    <message>
        <source>[new]</source>
        <translation>[new]</translation>
    </message>
    <message>
        <source>To pay: %1</source>
        <translation>To pay: %1</translation>
    </message>
    <message>
        <source>Balance after this sale: %1 points</source>
        <translation>Balance after this sale: %1 points</translation>
    </message>
</context>
<context>
    <name>DiscountDialog</name>
    <message>
        <source>Line discount</source>
        <translation>Line discount</translation>
    </message>
    <message>
        <source>%1, line amount %2: a percentage (e.g. 10%) or an amount in yuan (e.g. 5.00)</source>
        <translation>%1, line amount %2: a percentage (e.g. 10%) or an amount in yuan (e.g. 5.00)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Apply (Enter)</source>
        <translation>Apply (Enter)</translation>
    </message>
</context>
<context>
    <name>DonateDialog</name>
    <message>
        <source>Donate points</source>
        <translation>Donate points</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <source>Donate (Enter)</source>
        <translation>Donate (Enter)</translation>
    </message>
    <message>
        <source>No donation campaign runs at this store today.</source>
        <translation>No donation campaign runs at this store today.</translation>
    </message>
    <message>
        <source>Donated here so far: %1 of %2 points (%3%), until %4</source>
        <translation>Donated here so far: %1 of %2 points (%3%), until %4</translation>
    </message>
    <message>
        <source>in multiples of %1</source>
        <translation>in multiples of %1</translation>
    </message>
    <message>
        <source>%1 %2: balance %3 points</source>
        <translation>%1 %2: balance %3 points</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>= %1</source>
        <translation>= %1</translation>
    </message>
    <message>
        <source>Donate %1 points (%2) to %3?</source>
        <translation>Donate %1 points (%2) to %3?</translation>
    </message>
    <message>
        <source>%1's balance after the donation: %2 points</source>
        <translation>%1's balance after the donation: %2 points</translation>
    </message>
    <message>
        <source>A donation is not refunded.</source>
        <translation>A donation is not refunded.</translation>
    </message>
    <message>
        <source>Donate</source>
        <translation>Donate</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Not donated: the points stay with the member.</source>
        <translation>Not donated: the points stay with the member.</translation>
    </message>
    <message>
        <source>Thank you! %1 points (%2) donated to %3 (%4).</source>
        <translation>Thank you! %1 points (%2) donated to %3 (%4).</translation>
    </message>
    <message>
        <source>The slip is queued for printing.</source>
        <translation>The slip is queued for printing.</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
</context>
<context>
    <name>DonationViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this donation.</source>
        <translation>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this donation.</translation>
    </message>
    <message>
        <source>Donations to this campaign are in multiples of %1 points.</source>
        <translation>Donations to this campaign are in multiples of %1 points.</translation>
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation>Not enough points: the balance is %1.</translation>
    </message>
    <message>
        <source>Enter the points to donate: a whole number above 0.</source>
        <translation>Enter the points to donate: a whole number above 0.</translation>
    </message>
    <message>
        <source>This campaign ended on %1.</source>
        <translation>This campaign ended on %1.</translation>
    </message>
    <message>
        <source>This campaign starts on %1.</source>
        <translation>This campaign starts on %1.</translation>
    </message>
    <message>
        <source>This campaign does not run at this store now (%1).</source>
        <translation>This campaign does not run at this store now (%1).</translation>
    </message>
</context>
<context>
    <name>DrawDialog</name>
    <message>
        <source>Lottery draw</source>
        <translation>Lottery draw</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <source>Draw (Enter)</source>
        <translation>Draw (Enter)</translation>
    </message>
    <message>
        <source>%1 (%2 points a draw)</source>
        <translation>%1 (%2 points a draw)</translation>
    </message>
    <message>
        <source>No lottery draw runs at this store today.</source>
        <translation>No lottery draw runs at this store today.</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Draw in %1 for %2 points?</source>
        <translation>Draw in %1 for %2 points?</translation>
    </message>
    <message>
        <source>%1's balance after the draw: %2 points</source>
        <translation>%1's balance after the draw: %2 points</translation>
    </message>
    <message>
        <source>%1 a day</source>
        <translation>%1 a day</translation>
    </message>
    <message>
        <source>%1 in all</source>
        <translation>%1 in all</translation>
    </message>
    <message>
        <source>Draws per member: %1</source>
        <translation>Draws per member: %1</translation>
    </message>
    <message>
        <source>Better luck next time</source>
        <translation>Better luck next time</translation>
    </message>
    <message>
        <source>The prize drawn is gone at this store.</source>
        <translation>The prize drawn is gone at this store.</translation>
    </message>
    <message>
        <source>+%1 points</source>
        <translation>+%1 points</translation>
    </message>
    <message>
        <source>Coupon %1</source>
        <translation>Coupon %1</translation>
    </message>
    <message>
        <source>valid until %1</source>
        <translation>valid until %1</translation>
    </message>
    <message>
        <source>Hand over the gift (%1).</source>
        <translation>Hand over the gift (%1).</translation>
    </message>
    <message>
        <source>%1 %2: balance %3 points</source>
        <translation>%1 %2: balance %3 points</translation>
    </message>
    <message>
        <source>Draw %1, number %2 of %3. The slip is queued for printing.</source>
        <translation>Draw %1, number %2 of %3. The slip is queued for printing.</translation>
    </message>
    <message>
        <source>Draw again (Enter)</source>
        <translation>Draw again (Enter)</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
</context>
<context>
    <name>DrawViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this draw.</source>
        <translation>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this draw.</translation>
    </message>
    <message>
        <source>The member has had the %1 draws allowed today.</source>
        <translation>The member has had the %1 draws allowed today.</translation>
    </message>
    <message>
        <source>The member has had the %1 draws this campaign allows.</source>
        <translation>The member has had the %1 draws this campaign allows.</translation>
    </message>
    <message>
        <source>Not enough points: a draw costs %1, the balance is %2.</source>
        <translation>Not enough points: a draw costs %1, the balance is %2.</translation>
    </message>
    <message>
        <source>This draw ended on %1.</source>
        <translation>This draw ended on %1.</translation>
    </message>
    <message>
        <source>This draw starts on %1.</source>
        <translation>This draw starts on %1.</translation>
    </message>
    <message>
        <source>This draw cannot run at this store now (%1).</source>
        <translation>This draw cannot run at this store now (%1).</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>Referrer</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>Gift</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>Manager PIN</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Basket</source>
        <translation>Basket</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>Receipt number</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Payment</translation>
    </message>
    <message>
        <source>Amount tendered</source>
        <translation>Amount tendered</translation>
    </message>
    <message>
        <source>Refund payment</source>
        <translation>Refund payment</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stock</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>Loyalty program</source>
        <translation>Loyalty program</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>Award</source>
        <translation>Award</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>Product code</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Barcode</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>Tier</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>Member code</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>From date</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>To date</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>Group by</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>Segment</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>Cash counted</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <source>Member present</source>
        <translation>Member present</translation>
    </message>
    <message>
        <source>Redemption number</source>
        <translation>Redemption number</translation>
    </message>
    <message>
        <source>Something went wrong. The details were written to the log; please call the store manager.</source>
        <translation>Something went wrong. The details were written to the log; please call the store manager.</translation>
    </message>
    <message>
        <source>No member with this card or phone number.</source>
        <translation>No member with this card or phone number.</translation>
    </message>
    <message>
        <source>This member code has expired. Ask the member to refresh it.</source>
        <translation>This member code has expired. Ask the member to refresh it.</translation>
    </message>
    <message>
        <source>This member code is not valid yet. Check the till's clock.</source>
        <translation>This member code is not valid yet. Check the till's clock.</translation>
    </message>
    <message>
        <source>This member code is not genuine (the signature does not match).</source>
        <translation>This member code is not genuine (the signature does not match).</translation>
    </message>
    <message>
        <source>This member code (or its card) was revoked.</source>
        <translation>This member code (or its card) was revoked.</translation>
    </message>
    <message>
        <source>This is not a readable member code.</source>
        <translation>This is not a readable member code.</translation>
    </message>
    <message>
        <source>Member codes cannot be checked: no member QR key is set up (Settings).</source>
        <translation>Member codes cannot be checked: no member QR key is set up (Settings).</translation>
    </message>
    <message>
        <source>This member card was revoked. Ask for the phone number or the member code.</source>
        <translation>This member card was revoked. Ask for the phone number or the member code.</translation>
    </message>
    <message>
        <source>Unknown code %1: not a member, product, coupon, gift or receipt code.</source>
        <translation>Unknown code %1: not a member, product, coupon, gift or receipt code.</translation>
    </message>
    <message>
        <source>Ask the member to show their card or member code, or send a one-time code (a phone or card number typed in may earn points but not spend them).</source>
        <translation>Ask the member to show their card or member code, or send a one-time code (a phone or card number typed in may earn points but not spend them).</translation>
    </message>
    <message>
        <source>No one-time code service is set up for this store (Settings): ask the member to show their card or member code.</source>
        <translation>No one-time code service is set up for this store (Settings): ask the member to show their card or member code.</translation>
    </message>
    <message>
        <source>The one-time code could not be sent: this needs the network and the chain's code service. Ask the member to show their card or member code.</source>
        <translation>The one-time code could not be sent: this needs the network and the chain's code service. Ask the member to show their card or member code.</translation>
    </message>
    <message>
        <source>Wrong code: %1 tries left.</source>
        <translation>Wrong code: %1 tries left.</translation>
    </message>
    <message>
        <source>Three wrong codes: this code is locked. Send a new code, or ask for the card or member code.</source>
        <translation>Three wrong codes: this code is locked. Send a new code, or ask for the card or member code.</translation>
    </message>
    <message>
        <source>No valid code: it expired or none was sent. Send a new code.</source>
        <translation>No valid code: it expired or none was sent. Send a new code.</translation>
    </message>
    <message>
        <source>%1 yuan still to pay: take more cash or another payment, or press Clear payments.</source>
        <translation>%1 yuan still to pay: take more cash or another payment, or press Clear payments.</translation>
    </message>
    <message>
        <source>Card and mobile payments may not exceed the %1 yuan due (they give no change).</source>
        <translation>Card and mobile payments may not exceed the %1 yuan due (they give no change).</translation>
    </message>
    <message>
        <source>Say what the member did (e.g. the survey's name): this award needs a reason.</source>
        <translation>Say what the member did (e.g. the survey's name): this award needs a reason.</translation>
    </message>
    <message>
        <source>Checked in today already: once a day.</source>
        <translation>Checked in today already: once a day.</translation>
    </message>
    <message>
        <source>Check-in needs the member code from the member's phone.</source>
        <translation>Check-in needs the member code from the member's phone.</translation>
    </message>
    <message>
        <source>The To date %1 is before the From date %2.</source>
        <translation>The To date %1 is before the From date %2.</translation>
    </message>
    <message>
        <source>A report covers at most %1 days: choose a later From date.</source>
        <translation>A report covers at most %1 days: choose a later From date.</translation>
    </message>
    <message>
        <source>No product with this code.</source>
        <translation>No product with this code.</translation>
    </message>
    <message>
        <source>No sale with this receipt number.</source>
        <translation>No sale with this receipt number.</translation>
    </message>
    <message>
        <source>Unknown staff number.</source>
        <translation>Unknown staff number.</translation>
    </message>
    <message>
        <source>Points may pay at most %1% of this sale.</source>
        <translation>Points may pay at most %1% of this sale.</translation>
    </message>
    <message>
        <source>The member reached the monthly redemption cap of %1 points.</source>
        <translation>The member reached the monthly redemption cap of %1 points.</translation>
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation>Not enough points: the balance is %1.</translation>
    </message>
    <message>
        <source>At least %1 points per payment.</source>
        <translation>At least %1 points per payment.</translation>
    </message>
    <message>
        <source>Points are paid in steps of %1.</source>
        <translation>Points are paid in steps of %1.</translation>
    </message>
    <message>
        <source>This gift is out of stock.</source>
        <translation>This gift is out of stock.</translation>
    </message>
    <message>
        <source>The member has had this gift the most times allowed this month.</source>
        <translation>The member has had this gift the most times allowed this month.</translation>
    </message>
    <message>
        <source>This member is frozen.</source>
        <translation>This member is frozen.</translation>
    </message>
    <message>
        <source>This coupon was used already (receipt %1).</source>
        <translation>This coupon was used already (receipt %1).</translation>
    </message>
    <message>
        <source>This coupon belongs to another member.</source>
        <translation>This coupon belongs to another member.</translation>
    </message>
    <message>
        <source>This coupon expired on %1.</source>
        <translation>This coupon expired on %1.</translation>
    </message>
    <message>
        <source>This coupon needs a minimum spend of %1 yuan.</source>
        <translation>This coupon needs a minimum spend of %1 yuan.</translation>
    </message>
    <message>
        <source>This coupon cannot be used: %1</source>
        <translation>This coupon cannot be used: %1</translation>
    </message>
    <message>
        <source>A manager must approve this (number and PIN).</source>
        <translation>A manager must approve this (number and PIN).</translation>
    </message>
    <message>
        <source>Too many wrong PINs: locked until %1.</source>
        <translation>Too many wrong PINs: locked until %1.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>The two PINs differ: type the same PIN twice.</translation>
    </message>
    <message>
        <source>A PIN is 4 to 8 digits.</source>
        <translation>A PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <source>A staff number is 3 to 8 digits.</source>
        <translation>A staff number is 3 to 8 digits.</translation>
    </message>
    <message>
        <source>No staff member with this number.</source>
        <translation>No staff member with this number.</translation>
    </message>
    <message>
        <source>A manager cannot disable their own account.</source>
        <translation>A manager cannot disable their own account.</translation>
    </message>
    <message>
        <source>Above %1 points a second manager must approve: not the one asking.</source>
        <translation>Above %1 points a second manager must approve: not the one asking.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <source>Only a store manager may do this.</source>
        <translation>Only a store manager may do this.</translation>
    </message>
    <message>
        <source>The database file is damaged: nothing more is written to it. Close the window and restore the last checked backup (pos-app restore; the daily copies are in backups/auto), then call the store's IT person.</source>
        <translation>The database file is damaged: nothing more is written to it. Close the window and restore the last checked backup (pos-app restore; the daily copies are in backups/auto), then call the store's IT person.</translation>
    </message>
    <message>
        <source>The disk is full: nothing was written. Free some space and try again.</source>
        <translation>The disk is full: nothing was written. Free some space and try again.</translation>
    </message>
    <message>
        <source>The database file is read-only: nothing was written. Call the store's IT person.</source>
        <translation>The database file is read-only: nothing was written. Call the store's IT person.</translation>
    </message>
    <message>
        <source>The cashier window is already open on this database (or a restore is running). Use the window that is open, or close it first.</source>
        <translation>The cashier window is already open on this database (or a restore is running). Use the window that is open, or close it first.</translation>
    </message>
    <message>
        <source>This redemption was cancelled already.</source>
        <translation>This redemption was cancelled already.</translation>
    </message>
    <message>
        <source>Only redemptions of the open shift can be cancelled; this one is from an earlier shift.</source>
        <translation>Only redemptions of the open shift can be cancelled; this one is from an earlier shift.</translation>
    </message>
    <message>
        <source>The coupon of this gift was used in a sale already: the gift cannot be cancelled.</source>
        <translation>The coupon of this gift was used in a sale already: the gift cannot be cancelled.</translation>
    </message>
    <message>
        <source>This phone number is already a member.</source>
        <translation>This phone number is already a member.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 already exists.</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1 is not valid.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>Not allowed: %1</translation>
    </message>
    <message>
        <source>The database cannot be used: %1</source>
        <translation>The database cannot be used: %1</translation>
    </message>
</context>
<context>
    <name>FirstStartDialog</name>
    <message>
        <source>First start</source>
        <translation>First start</translation>
    </message>
    <message>
        <source>This till has no data yet. Enter the store and terminal numbers headquarters gave you and the first manager's account. The reference loyalty program is loaded; managers add cashiers afterwards.</source>
        <translation>This till has no data yet. Enter the store and terminal numbers headquarters gave you and the first manager's account. The reference loyalty program is loaded; managers add cashiers afterwards.</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Data folder: %1</translation>
    </message>
    <message>
        <source>Store number</source>
        <translation>Store number</translation>
    </message>
    <message>
        <source>e.g. S001</source>
        <translation>e.g. S001</translation>
    </message>
    <message>
        <source>Terminal number</source>
        <translation>Terminal number</translation>
    </message>
    <message>
        <source>e.g. T01</source>
        <translation>e.g. T01</translation>
    </message>
    <message>
        <source>Manager number</source>
        <translation>Manager number</translation>
    </message>
    <message>
        <source>3 to 8 digits, e.g. 9001</source>
        <translation>3 to 8 digits, e.g. 9001</translation>
    </message>
    <message>
        <source>Manager name</source>
        <translation>Manager name</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>Manager PIN</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 to 8 digits</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <source>Quit (Esc)</source>
        <translation>Quit (Esc)</translation>
    </message>
    <message>
        <source>Start (Enter)</source>
        <translation>Start (Enter)</translation>
    </message>
    <message>
        <source>The store number is 1 to 16 letters, digits, - or _.</source>
        <translation>The store number is 1 to 16 letters, digits, - or _.</translation>
    </message>
    <message>
        <source>The terminal number is 1 to 16 letters, digits, - or _.</source>
        <translation>The terminal number is 1 to 16 letters, digits, - or _.</translation>
    </message>
    <message>
        <source>The manager number is 3 to 8 digits.</source>
        <translation>The manager number is 3 to 8 digits.</translation>
    </message>
    <message>
        <source>The PIN is 4 to 8 digits.</source>
        <translation>The PIN is 4 to 8 digits.</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>The two PINs differ.</translation>
    </message>
    <message>
        <source>Fill in every field.</source>
        <translation>Fill in every field.</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
</context>
<context>
    <name>GiftCancelDialog</name>
    <message>
        <source>Cancel redemption</source>
        <translation>Cancel redemption</translation>
    </message>
    <message>
        <source>This shift's redemptions (newest first):</source>
        <translation>This shift's redemptions (newest first):</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>Keep it</translation>
    </message>
    <message>
        <source>Cancel %1 (%2)? %3 points go back to the member.</source>
        <translation>Cancel %1 (%2)? %3 points go back to the member.</translation>
    </message>
    <message>
        <source>Hand back %1 in cash.</source>
        <translation>Hand back %1 in cash.</translation>
    </message>
    <message>
        <source>Its coupon %1 can no longer be used.</source>
        <translation>Its coupon %1 can no longer be used.</translation>
    </message>
    <message>
        <source>Balance after: %1 points</source>
        <translation>Balance after: %1 points</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <source>A reason is needed</source>
        <translation>A reason is needed</translation>
    </message>
</context>
<context>
    <name>GiftsPage</name>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>Clear (Esc)</translation>
    </message>
    <message>
        <source>Send code (Ctrl+O)</source>
        <translation>Send code (Ctrl+O)</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>Gift</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Plus cash</source>
        <translation>Plus cash</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stock</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>Approval</translation>
    </message>
    <message>
        <source>Redeem (Enter)</source>
        <translation>Redeem (Enter)</translation>
    </message>
    <message>
        <source>Donate (Ctrl+J)</source>
        <translation>Donate (Ctrl+J)</translation>
    </message>
    <message>
        <source>Draw (Ctrl+L)</source>
        <translation>Draw (Ctrl+L)</translation>
    </message>
    <message>
        <source>Last redemption</source>
        <translation>Last redemption</translation>
    </message>
    <message>
        <source>Cancel redemption (Ctrl+Z)</source>
        <translation>Cancel redemption (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Choose a gift first.</source>
        <translation>Choose a gift first.</translation>
    </message>
    <message>
        <source>Redeem %1 %2 for %3 points?</source>
        <translation>Redeem %1 %2 for %3 points?</translation>
    </message>
    <message>
        <source>The member also pays %1.</source>
        <translation>The member also pays %1.</translation>
    </message>
    <message>
        <source>%1's balance after: %2 points</source>
        <translation>%1's balance after: %2 points</translation>
    </message>
    <message>
        <source>Redeem gift</source>
        <translation>Redeem gift</translation>
    </message>
    <message>
        <source>Redeem</source>
        <translation>Redeem</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Not redeemed: the points stay with the member.</source>
        <translation>Not redeemed: the points stay with the member.</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Hand back %1 in cash.</source>
        <translation>Hand back %1 in cash.</translation>
    </message>
    <message>
        <source>Not cancelled: the redemption stands.</source>
        <translation>Not cancelled: the redemption stands.</translation>
    </message>
    <message>
        <source>%1 cancelled (%2): %3 points back, balance %4</source>
        <translation>%1 cancelled (%2): %3 points back, balance %4</translation>
    </message>
    <message>
        <source>Redemption cancelled. The slip is queued for printing.</source>
        <translation>Redemption cancelled. The slip is queued for printing.</translation>
    </message>
    <message>
        <source>Offline: using this till's copy</source>
        <translation>Offline: using this till's copy</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>No member identified</translation>
    </message>
    <message>
        <source>card scanned</source>
        <translation>card scanned</translation>
    </message>
    <message>
        <source>member code scanned</source>
        <translation>member code scanned</translation>
    </message>
    <message>
        <source>one-time code verified</source>
        <translation>one-time code verified</translation>
    </message>
    <message>
        <source>number typed: a gift needs the card, member code or a one-time code</source>
        <translation>number typed: a gift needs the card, member code or a one-time code</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>Balance: %1 points</translation>
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation>(owes %1 points from a refund)</translation>
    </message>
    <message>
        <source>out of stock</source>
        <translation>out of stock</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <source>Choose a gift, then Redeem.</source>
        <translation>Choose a gift, then Redeem.</translation>
    </message>
    <message>
        <source>%1 %2: %3 points</source>
        <translation>%1 %2: %3 points</translation>
    </message>
    <message>
        <source>plus %1 cash to collect</source>
        <translation>plus %1 cash to collect</translation>
    </message>
    <message>
        <source>a manager must approve</source>
        <translation>a manager must approve</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
    <message>
        <source>%1 redeemed (%2): %3 points, balance %4</source>
        <translation>%1 redeemed (%2): %3 points, balance %4</translation>
    </message>
    <message>
        <source>approved by %1</source>
        <translation>approved by %1</translation>
    </message>
    <message>
        <source>No redemption to cancel: none of this shift's gifts can be cancelled.</source>
        <translation>No redemption to cancel: none of this shift's gifts can be cancelled.</translation>
    </message>
    <message>
        <source>Coupon %1</source>
        <translation>Coupon %1</translation>
    </message>
    <message>
        <source>valid until %1</source>
        <translation>valid until %1</translation>
    </message>
    <message>
        <source>Collect %1 in cash.</source>
        <translation>Collect %1 in cash.</translation>
    </message>
    <message>
        <source>Gift redeemed. The coupon is queued for printing.</source>
        <translation>Gift redeemed. The coupon is queued for printing.</translation>
    </message>
    <message>
        <source>Gift redeemed.</source>
        <translation>Gift redeemed.</translation>
    </message>
    <message>
        <source>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</source>
        <translation>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</translation>
    </message>
    <message>
        <source>One-time code sent.</source>
        <translation>One-time code sent.</translation>
    </message>
    <message>
        <source>Code verified: the member may redeem gifts.</source>
        <translation>Code verified: the member may redeem gifts.</translation>
    </message>
</context>
<context>
    <name>GiftsViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>Identify the member first (card or phone number).</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve %3 for %4 points.</source>
        <translation>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve %3 for %4 points.</translation>
    </message>
    <message>
        <source>%1 costs %2 points: a store manager must approve this redemption.</source>
        <translation>%1 costs %2 points: a store manager must approve this redemption.</translation>
    </message>
    <message>
        <source>%1 was approved by a manager: a store manager must approve its cancellation.</source>
        <translation>%1 was approved by a manager: a store manager must approve its cancellation.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Member check-in</source>
        <extracomment>how long a result stays on the screen before it asks for the next member (ms)</extracomment>
        <translation>Member check-in</translation>
    </message>
    <message>
        <source>Scan your member code to check in</source>
        <translation>Scan your member code to check in</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>Member code</translation>
    </message>
    <message>
        <source>%1: checked in, +%2 points. Balance %3 points.</source>
        <translation>%1: checked in, +%2 points. Balance %3 points.</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>e.g. 1001</source>
        <translation>e.g. 1001</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Close shift</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <source>Open shift</source>
        <translation>Open shift</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Cash</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>The shift could not be closed.</source>
        <translation>The shift could not be closed.</translation>
    </message>
    <message>
        <source>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</source>
        <translation>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</translation>
    </message>
    <message>
        <source>Cash expected %1 yuan, counted %2 yuan</source>
        <translation>Cash expected %1 yuan, counted %2 yuan</translation>
    </message>
    <message>
        <source>Over by %1 yuan</source>
        <translation>Over by %1 yuan</translation>
    </message>
    <message>
        <source>Short by %1 yuan</source>
        <translation>Short by %1 yuan</translation>
    </message>
    <message>
        <source>No difference</source>
        <translation>No difference</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>Shift report</translation>
    </message>
</context>
<context>
    <name>MemberEntry</name>
    <message>
        <source>Scan the member code, or type card or phone number (F2)</source>
        <translation>Scan the member code, or type card or phone number (F2)</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>Identify</translation>
    </message>
</context>
<context>
    <name>MembersPage</name>
    <message>
        <source>Phone, card number or name</source>
        <translation>Phone, card number or name</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>New member</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation>Freeze</translation>
    </message>
    <message>
        <source>Award (F4)</source>
        <translation>Award (F4)</translation>
    </message>
    <message>
        <source>Points and lots</source>
        <translation>Points and lots</translation>
    </message>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Tier and profile</source>
        <translation>Tier and profile</translation>
    </message>
    <message>
        <source>Search for a member, or register a new one.</source>
        <translation>Search for a member, or register a new one.</translation>
    </message>
    <message>
        <source>Earned</source>
        <translation>Earned</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Remaining</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>Days left</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>All kinds</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>A business date such as 2026-11-03; empty for no limit</source>
        <translation>A business date such as 2026-11-03; empty for no limit</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>Older entries</source>
        <translation>Older entries</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Why</translation>
    </message>
    <message>
        <source>Qualifying points</source>
        <translation>Qualifying points</translation>
    </message>
    <message>
        <source>Register a member</source>
        <translation>Register a member</translation>
    </message>
    <message>
        <source>Register (Enter)</source>
        <translation>Register (Enter)</translation>
    </message>
    <message>
        <source>Mobile number</source>
        <translation>Mobile number</translation>
    </message>
    <message>
        <source>11 digits, e.g. 13812345678</source>
        <translation>11 digits, e.g. 13812345678</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <source>Optional, e.g. 1990-05-18</source>
        <translation>Optional, e.g. 1990-05-18</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <source>Optional: a pre-printed card; empty issues a new number</source>
        <translation>Optional: a pre-printed card; empty issues a new number</translation>
    </message>
    <message>
        <source>Referred by</source>
        <translation>Referred by</translation>
    </message>
    <message>
        <source>Optional: the referrer's card or phone number</source>
        <translation>Optional: the referrer's card or phone number</translation>
    </message>
    <message>
        <source>The member agrees to the program's terms</source>
        <translation>The member agrees to the program's terms</translation>
    </message>
    <message>
        <source>Required: points, tiers and the store keeping these details for the program. Read the terms to the customer if asked.</source>
        <translation>Required: points, tiers and the store keeping these details for the program. Read the terms to the customer if asked.</translation>
    </message>
    <message>
        <source>Open the existing member</source>
        <translation>Open the existing member</translation>
    </message>
    <message>
        <source>Member registered</source>
        <translation>Member registered</translation>
    </message>
    <message>
        <source>Open member (Enter)</source>
        <translation>Open member (Enter)</translation>
    </message>
    <message>
        <source>Register another</source>
        <translation>Register another</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <source>Edit member</source>
        <translation>Edit member</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>Save (Enter)</translation>
    </message>
    <message>
        <source>Empty: not known</source>
        <translation>Empty: not known</translation>
    </message>
    <message>
        <source>A new mobile number takes the points with it: check it with the member.</source>
        <translation>A new mobile number takes the points with it: check it with the member.</translation>
    </message>
    <message>
        <source>Freeze member</source>
        <translation>Freeze member</translation>
    </message>
    <message>
        <source>Freeze (Enter)</source>
        <translation>Freeze (Enter)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Required, e.g. card reported lost</source>
        <translation>Required, e.g. card reported lost</translation>
    </message>
    <message>
        <source>Scan a new card into Card number, or the referrer's card or member code into Referred by: click the field first.</source>
        <translation>Scan a new card into Card number, or the referrer's card or member code into Referred by: click the field first.</translation>
    </message>
    <message>
        <source>Scan ignored: finish the form or leave it (Esc) first.</source>
        <translation>Scan ignored: finish the form or leave it (Esc) first.</translation>
    </message>
    <message>
        <source>%1 will not be able to earn or use points until unfrozen.</source>
        <translation>%1 will not be able to earn or use points until unfrozen.</translation>
    </message>
    <message>
        <source>Unfreeze member</source>
        <translation>Unfreeze member</translation>
    </message>
    <message>
        <source>Unfreeze (Enter)</source>
        <translation>Unfreeze (Enter)</translation>
    </message>
    <message>
        <source>%1 will be able to earn and use points again.</source>
        <translation>%1 will be able to earn and use points again.</translation>
    </message>
    <message>
        <source>The award could not be granted.</source>
        <translation>The award could not be granted.</translation>
    </message>
    <message>
        <source>Award granted: balance %1 points</source>
        <translation>Award granted: balance %1 points</translation>
    </message>
    <message>
        <source>Export history</source>
        <translation>Export history</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>frozen</source>
        <translation>frozen</translation>
    </message>
    <message>
        <source>FROZEN</source>
        <translation>FROZEN</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Phone %1  ·  Card %2</source>
        <translation>Phone %1  ·  Card %2</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>Balance: %1 points</translation>
    </message>
    <message>
        <source>Owes %1 points from a refund; new points pay this first.</source>
        <translation>Owes %1 points from a refund; new points pay this first.</translation>
    </message>
    <message>
        <source>Unfreeze</source>
        <translation>Unfreeze</translation>
    </message>
    <message>
        <source>Points expiring within %1 days: %2</source>
        <translation>Points expiring within %1 days: %2</translation>
    </message>
    <message>
        <source>next: %1 points on %2</source>
        <translation>next: %1 points on %2</translation>
    </message>
    <message>
        <source>Qualifying points (12 months): %1</source>
        <translation>Qualifying points (12 months): %1</translation>
    </message>
    <message>
        <source>%1 more to %2</source>
        <translation>%1 more to %2</translation>
    </message>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Segment: %1</source>
        <translation>Segment: %1</translation>
    </message>
    <message>
        <source>Member since %1 (store %2)</source>
        <translation>Member since %1 (store %2)</translation>
    </message>
    <message>
        <source>Birthday: %1</source>
        <translation>Birthday: %1</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>not given</translation>
    </message>
    <message>
        <source>In tier since %1</source>
        <translation>In tier since %1</translation>
    </message>
    <message>
        <source>Referred by %1 (%2)</source>
        <translation>Referred by %1 (%2)</translation>
    </message>
    <message>
        <source>No consent to the program's terms on record.</source>
        <translation>No consent to the program's terms on record.</translation>
    </message>
    <message>
        <source>Headquarters' records (every store)</source>
        <translation>Headquarters' records (every store)</translation>
    </message>
    <message>
        <source>This till's records (headquarters did not answer)</source>
        <translation>This till's records (headquarters did not answer)</translation>
    </message>
    <message>
        <source>This till's records</source>
        <translation>This till's records</translation>
    </message>
    <message>
        <source>Showing the latest %1 entries; the export has them all.</source>
        <translation>Showing the latest %1 entries; the export has them all.</translation>
    </message>
    <message>
        <source>%1 entries</source>
        <translation>%1 entries</translation>
    </message>
    <message>
        <source>Possibly registered already: %1. Ask the customer; press Register again to register a new member anyway.</source>
        <translation>Possibly registered already: %1. Ask the customer; press Register again to register a new member anyway.</translation>
    </message>
    <message>
        <source>Register anyway (Enter)</source>
        <translation>Register anyway (Enter)</translation>
    </message>
    <message>
        <source>A member with the same details exists. Please check.</source>
        <translation>A member with the same details exists. Please check.</translation>
    </message>
    <message>
        <source>Open the existing member: %1</source>
        <translation>Open the existing member: %1</translation>
    </message>
    <message>
        <source>%1's card number: %2</source>
        <translation>%1's card number: %2</translation>
    </message>
    <message>
        <source>Registered. Give the member the card number.</source>
        <translation>Registered. Give the member the card number.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>The member is frozen.</source>
        <translation>The member is frozen.</translation>
    </message>
    <message>
        <source>The member is active again.</source>
        <translation>The member is active again.</translation>
    </message>
    <message>
        <source>%1 entries written to %2</source>
        <translation>%1 entries written to %2</translation>
    </message>
</context>
<context>
    <name>MembersViewModel</name>
    <message>
        <source>Regular</source>
        <extracomment>The table shows this many entries at most; the CSV export has them all.</extracomment>
        <translation>Regular</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>Purchase</translation>
    </message>
    <message>
        <source>Paid with points</source>
        <translation>Paid with points</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>Gift</translation>
    </message>
    <message>
        <source>Award</source>
        <translation>Award</translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <source>Refund clawback</source>
        <translation>Refund clawback</translation>
    </message>
    <message>
        <source>Points returned</source>
        <translation>Points returned</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Imported</translation>
    </message>
    <message>
        <source>Donation</source>
        <translation>Donation</translation>
    </message>
    <message>
        <source>Lottery draw</source>
        <translation>Lottery draw</translation>
    </message>
    <message>
        <source>Draw prize</source>
        <translation>Draw prize</translation>
    </message>
    <message>
        <source>Upgrade</source>
        <translation>Upgrade</translation>
    </message>
    <message>
        <source>Yearly review</source>
        <translation>Yearly review</translation>
    </message>
    <message>
        <source>Set by hand: %1</source>
        <translation>Set by hand: %1</translation>
    </message>
    <message>
        <source>purchase %1</source>
        <translation>purchase %1</translation>
    </message>
    <message>
        <source>first purchase</source>
        <translation>first purchase</translation>
    </message>
    <message>
        <source>birthday</source>
        <translation>birthday</translation>
    </message>
    <message>
        <source>capped</source>
        <translation>capped</translation>
    </message>
    <message>
        <source>paid %1 yuan</source>
        <translation>paid %1 yuan</translation>
    </message>
    <message>
        <source>%1 yuan</source>
        <translation>%1 yuan</translation>
    </message>
    <message>
        <source>award: %1</source>
        <translation>award: %1</translation>
    </message>
    <message>
        <source>%1 (approved by %2)</source>
        <translation>%1 (approved by %2)</translation>
    </message>
    <message>
        <source>refund %1</source>
        <translation>refund %1</translation>
    </message>
    <message>
        <source>owed %1</source>
        <translation>owed %1</translation>
    </message>
    <message>
        <source>donated to %1 (%2 yuan)</source>
        <translation>donated to %1 (%2 yuan)</translation>
    </message>
    <message>
        <source>points past their expiry date</source>
        <translation>points past their expiry date</translation>
    </message>
    <message>
        <source>earned on %1</source>
        <translation>earned on %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>won %1</source>
        <translation>won %1</translation>
    </message>
    <message>
        <source>No member matches %1.</source>
        <translation>No member matches %1.</translation>
    </message>
    <message>
        <source>Dates are written like 2026-11-03.</source>
        <translation>Dates are written like 2026-11-03.</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>The end date is before the start date.</translation>
    </message>
    <message>
        <source>Business date</source>
        <translation>Business date</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation>Balance after</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>Entry ID</source>
        <translation>Entry ID</translation>
    </message>
    <message>
        <source>An export is still running.</source>
        <translation>An export is still running.</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>Could not write %1.</translation>
    </message>
    <message>
        <source>The member must agree to the program's terms (tick the box).</source>
        <translation>The member must agree to the program's terms (tick the box).</translation>
    </message>
    <message>
        <source>Only a store manager may freeze or unfreeze a member.</source>
        <translation>Only a store manager may freeze or unfreeze a member.</translation>
    </message>
    <message>
        <source>once per member</source>
        <translation>once per member</translation>
    </message>
    <message>
        <source>%1 a day</source>
        <translation>%1 a day</translation>
    </message>
    <message>
        <source>Please give a reason.</source>
        <translation>Please give a reason.</translation>
    </message>
</context>
<context>
    <name>OtpDialog</name>
    <message>
        <source>One-time code</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <source>6 digits</source>
        <translation>6 digits</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Verify (Enter)</source>
        <translation>Verify (Enter)</translation>
    </message>
    <message>
        <source>Type the code the member reads out.</source>
        <translation>Type the code the member reads out.</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>not set up</source>
        <translation>not set up</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>ready</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>out of paper</source>
        <translation>out of paper</translation>
    </message>
    <message>
        <source>cover open</source>
        <translation>cover open</translation>
    </message>
</context>
<context>
    <name>ProductImportDialog</name>
    <message>
        <source>Import products</source>
        <translation>Import products</translation>
    </message>
    <message>
        <source>The chain's product file (CSV from the ERP, UTF-8 or GB18030). Check it first: nothing is written while any row is wrong.</source>
        <translation>The chain's product file (CSV from the ERP, UTF-8 or GB18030). Check it first: nothing is written while any row is wrong.</translation>
    </message>
    <message>
        <source>File path</source>
        <translation>File path</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Check (dry run)</source>
        <translation>Check (dry run)</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <source>Product file</source>
        <translation>Product file</translation>
    </message>
    <message>
        <source>%1 rows, %2 valid, %3 invalid</source>
        <translation>%1 rows, %2 valid, %3 invalid</translation>
    </message>
    <message>
        <source>Imported: %1 added, %2 changed, %3 unchanged.</source>
        <translation>Imported: %1 added, %2 changed, %3 unchanged.</translation>
    </message>
    <message>
        <source>Nothing can be imported: correct these rows in the file and check again.</source>
        <translation>Nothing can be imported: correct these rows in the file and check again.</translation>
    </message>
    <message>
        <source>line %1: %2: %3</source>
        <translation>line %1: %2: %3</translation>
    </message>
    <message>
        <source>Would add %1, change %2, leave %3 unchanged. Press Import to write them.</source>
        <translation>Would add %1, change %2, leave %3 unchanged. Press Import to write them.</translation>
    </message>
    <message>
        <source>Never earn points (excluded by the program): %1</source>
        <translation>Never earn points (excluded by the program): %1</translation>
    </message>
</context>
<context>
    <name>ReceiptPreview</name>
    <message>
        <source>Receipt preview %1</source>
        <translation>Receipt preview %1</translation>
    </message>
</context>
<context>
    <name>RefundsPage</name>
    <message>
        <source>Scan or type the receipt number, then Enter</source>
        <translation>Scan or type the receipt number, then Enter</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Find</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>Clear (Esc)</translation>
    </message>
    <message>
        <source>Refund / item</source>
        <translation>Refund / item</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>All lines</source>
        <translation>All lines</translation>
    </message>
    <message>
        <source>No lines</source>
        <translation>No lines</translation>
    </message>
    <message>
        <source>Preview receipt</source>
        <translation>Preview receipt</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <source>This refund</source>
        <translation>This refund</translation>
    </message>
    <message>
        <source>Money back</source>
        <translation>Money back</translation>
    </message>
    <message>
        <source>Original payment</source>
        <translation>Original payment</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Cash</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>Refund to</source>
        <translation>Refund to</translation>
    </message>
    <message>
        <source>Points taken back</source>
        <translation>Points taken back</translation>
    </message>
    <message>
        <source>Points given back</source>
        <translation>Points given back</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>Balance</translation>
    </message>
    <message>
        <source>Coupon given back</source>
        <translation>Coupon given back</translation>
    </message>
    <message>
        <source>Confirm refund (F12)</source>
        <translation>Confirm refund (F12)</translation>
    </message>
    <message>
        <source>Find a sale first.</source>
        <translation>Find a sale first.</translation>
    </message>
    <message>
        <source>Reprint queued as print job %1.</source>
        <translation>Reprint queued as print job %1.</translation>
    </message>
    <message>
        <source>Enter a receipt number to see its sale.</source>
        <translation>Enter a receipt number to see its sale.</translation>
    </message>
    <message>
        <source>refunded (%1)</source>
        <translation>refunded (%1)</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Receipt %1</translation>
    </message>
    <message>
        <source>total %1</source>
        <translation>total %1</translation>
    </message>
    <message>
        <source>%1 points paid</source>
        <translation>%1 points paid</translation>
    </message>
    <message>
        <source>coupon %1</source>
        <translation>coupon %1</translation>
    </message>
    <message>
        <source>%1 points earned</source>
        <translation>%1 points earned</translation>
    </message>
    <message>
        <source>no member</source>
        <translation>no member</translation>
    </message>
    <message>
        <source>refunded entirely</source>
        <translation>refunded entirely</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>no member: no points change</source>
        <translation>no member: no points change</translation>
    </message>
    <message>
        <source>Shortfall: %1 points. The balance will be negative (%2); later earnings pay it off first.</source>
        <translation>Shortfall: %1 points. The balance will be negative (%2); later earnings pay it off first.</translation>
    </message>
    <message>
        <source>Back to: %1</source>
        <translation>Back to: %1</translation>
    </message>
    <message>
        <source>Refund %1: %2 back, %3 points taken back, %4 points given back</source>
        <translation>Refund %1: %2 back, %3 points taken back, %4 points given back</translation>
    </message>
    <message>
        <source>balance %1</source>
        <translation>balance %1</translation>
    </message>
    <message>
        <source>%1 returned points had expired and were written off.</source>
        <translation>%1 returned points had expired and were written off.</translation>
    </message>
    <message>
        <source>Shortfall: %1 points could not be taken back; the member owes %2 points.</source>
        <translation>Shortfall: %1 points could not be taken back; the member owes %2 points.</translation>
    </message>
    <message>
        <source>Coupon %1 is the member's again.</source>
        <translation>Coupon %1 is the member's again.</translation>
    </message>
    <message>
        <source>Refund done. Give back %1.</source>
        <translation>Refund done. Give back %1.</translation>
    </message>
</context>
<context>
    <name>RefundsViewModel</name>
    <message>
        <source>Tick the lines to refund first.</source>
        <translation>Tick the lines to refund first.</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Refresh (Ctrl+R)</source>
        <extracomment>asks where to save an export (a file dialog; tests put their own answer)</extracomment>
        <translation>Refresh (Ctrl+R)</translation>
    </message>
    <message>
        <source>Expiry run…</source>
        <translation>Expiry run…</translation>
    </message>
    <message>
        <source>Write off the points that expired before today (managers only)</source>
        <translation>Write off the points that expired before today (managers only)</translation>
    </message>
    <message>
        <source>Reports and the expiry run are for the store manager.
Log in with a manager's staff number to see them.</source>
        <translation>Reports and the expiry run are for the store manager.
Log in with a manager's staff number to see them.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>Store report</source>
        <translation>Store report</translation>
    </message>
    <message>
        <source>Points issued and redeemed per day, last %1 days</source>
        <translation>Points issued and redeemed per day, last %1 days</translation>
    </message>
    <message>
        <source>Points liability</source>
        <translation>Points liability</translation>
    </message>
    <message>
        <source>Points outstanding</source>
        <translation>Points outstanding</translation>
    </message>
    <message>
        <source>Value as payment</source>
        <translation>Value as payment</translation>
    </message>
    <message>
        <source>Members with points</source>
        <translation>Members with points</translation>
    </message>
    <message>
        <source>Owed by members</source>
        <translation>Owed by members</translation>
    </message>
    <message>
        <source>Expiring within 30 days</source>
        <translation>Expiring within 30 days</translation>
    </message>
    <message>
        <source>Top gifts, last %1 days</source>
        <translation>Top gifts, last %1 days</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>Gift</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>Times</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Member segments</source>
        <translation>Member segments</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>Segment</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Whole phone numbers</source>
        <translation>Whole phone numbers</translation>
    </message>
    <message>
        <source>Unticked, the list shows phones as 138****8000</source>
        <translation>Unticked, the list shows phones as 138****8000</translation>
    </message>
    <message>
        <source>Export… (Ctrl+M)</source>
        <translation>Export… (Ctrl+M)</translation>
    </message>
    <message>
        <source>The selected segment's members who agreed to marketing, for a campaign (CSV or Excel)</source>
        <translation>The selected segment's members who agreed to marketing, for a campaign (CSV or Excel)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>Group by</translation>
    </message>
    <message>
        <source>Show (Ctrl+Enter)</source>
        <translation>Show (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>CSV… (Ctrl+E)</source>
        <translation>CSV… (Ctrl+E)</translation>
    </message>
    <message>
        <source>Excel… (Ctrl+Shift+E)</source>
        <translation>Excel… (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>Show a report first (Ctrl+Enter), then export it.</source>
        <translation>Show a report first (Ctrl+Enter), then export it.</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel workbooks (*.xlsx)</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>Export the report</translation>
    </message>
    <message>
        <source>Select a segment in the table first, then export its members.</source>
        <translation>Select a segment in the table first, then export its members.</translation>
    </message>
    <message>
        <source>Export the segment's members</source>
        <translation>Export the segment's members</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx);;CSV files (*.csv)</source>
        <translation>Excel workbooks (*.xlsx);;CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Working… the counter stays usable.</source>
        <translation>Working… the counter stays usable.</translation>
    </message>
    <message>
        <source>%1 to %2: %3 rows</source>
        <translation>%1 to %2: %3 rows</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>Saved %1.</translation>
    </message>
    <message>
        <source>Saved %1: %2 members (%3 without marketing consent left out), phones %4.</source>
        <translation>Saved %1: %2 members (%3 without marketing consent left out), phones %4.</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>masked</translation>
    </message>
    <message>
        <source>whole</source>
        <translation>whole</translation>
    </message>
    <message>
        <source>As of %1</source>
        <translation>As of %1</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>Issued</translation>
    </message>
    <message>
        <source>Redeemed</source>
        <translation>Redeemed</translation>
    </message>
    <message>
        <source>No points were issued or redeemed in these days.</source>
        <translation>No points were issued or redeemed in these days.</translation>
    </message>
    <message>
        <source>%1 days: %2 points issued, %3 redeemed</source>
        <translation>%1 days: %2 points issued, %3 redeemed</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 points</translation>
    </message>
    <message>
        <source>Nothing to expire: no points lapsed before %1.</source>
        <translation>Nothing to expire: no points lapsed before %1.</translation>
    </message>
    <message>
        <source>Dry run done: waiting for confirmation.</source>
        <translation>Dry run done: waiting for confirmation.</translation>
    </message>
    <message>
        <source>%1 points of %2 members (%3 lots) expired before %4.

Write them off now? This adds an expiry entry to each member's points history and cannot be undone.</source>
        <translation>%1 points of %2 members (%3 lots) expired before %4.

Write them off now? This adds an expiry entry to each member's points history and cannot be undone.</translation>
    </message>
    <message>
        <source>Expiry run</source>
        <translation>Expiry run</translation>
    </message>
    <message>
        <source>Expire the points</source>
        <translation>Expire the points</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Expiry run cancelled: nothing was written.</source>
        <translation>Expiry run cancelled: nothing was written.</translation>
    </message>
    <message>
        <source>Expired %1 points of %2 members.</source>
        <translation>Expired %1 points of %2 members.</translation>
    </message>
</context>
<context>
    <name>ReportsViewModel</name>
    <message>
        <source>Regular</source>
        <translation>Regular</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>Cashier</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>Business day</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Sales</translation>
    </message>
    <message>
        <source>Member sales</source>
        <translation>Member sales</translation>
    </message>
    <message>
        <source>Sales (yuan)</source>
        <translation>Sales (yuan)</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>Refunded (yuan)</source>
        <translation>Refunded (yuan)</translation>
    </message>
    <message>
        <source>Points issued</source>
        <translation>Points issued</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>Points redeemed</translation>
    </message>
    <message>
        <source>Points paid at the till</source>
        <translation>Points paid at the till</translation>
    </message>
    <message>
        <source>Points adjusted</source>
        <translation>Points adjusted</translation>
    </message>
    <message>
        <source>Points clawed back</source>
        <translation>Points clawed back</translation>
    </message>
    <message>
        <source>Points returned</source>
        <translation>Points returned</translation>
    </message>
    <message>
        <source>Points expired</source>
        <translation>Points expired</translation>
    </message>
    <message>
        <source>Gift points</source>
        <translation>Gift points</translation>
    </message>
    <message>
        <source>Gift redemptions</source>
        <translation>Gift redemptions</translation>
    </message>
    <message>
        <source>Gift cash (yuan)</source>
        <translation>Gift cash (yuan)</translation>
    </message>
    <message>
        <source>Coupons issued</source>
        <translation>Coupons issued</translation>
    </message>
    <message>
        <source>Coupons used</source>
        <translation>Coupons used</translation>
    </message>
    <message>
        <source>Coupons used (yuan)</source>
        <translation>Coupons used (yuan)</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Card</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>Tier</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Last purchase</source>
        <translation>Last purchase</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>Enrolled</translation>
    </message>
</context>
<context>
    <name>ScanRouter</name>
    <message>
        <source>Scan ignored: log in first.</source>
        <translation>Scan ignored: log in first.</translation>
    </message>
    <message>
        <source>Scan ignored: finish or close the open window first.</source>
        <translation>Scan ignored: finish or close the open window first.</translation>
    </message>
</context>
<context>
    <name>ScanTestDialog</name>
    <message>
        <source>Test scan</source>
        <translation>Test scan</translation>
    </message>
    <message>
        <source>Scan a member card, phone number, product or coupon into the field below (a keyboard-wedge scanner types it and presses Enter).</source>
        <translation>Scan a member card, phone number, product or coupon into the field below (a keyboard-wedge scanner types it and presses Enter).</translation>
    </message>
    <message>
        <source>The scanner is set to a serial port: scans from it work on the cashier screens; this test reads what is typed into the field below.</source>
        <translation>The scanner is set to a serial port: scans from it work on the cashier screens; this test reads what is typed into the field below.</translation>
    </message>
    <message>
        <source>Waiting for a scan…</source>
        <translation>Waiting for a scan…</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Receipt printer</source>
        <translation>Receipt printer</translation>
    </message>
    <message>
        <source>Not set up</source>
        <translation>Not set up</translation>
    </message>
    <message>
        <source>USB</source>
        <translation>USB</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>Serial port</source>
        <translation>Serial port</translation>
    </message>
    <message>
        <source>File or device path</source>
        <translation>File or device path</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connection</translation>
    </message>
    <message>
        <source>Receipts wait in the print queue until a printer is set up.</source>
        <translation>Receipts wait in the print queue until a printer is set up.</translation>
    </message>
    <message>
        <source>vendor:product, e.g. 04b8:0202</source>
        <translation>vendor:product, e.g. 04b8:0202</translation>
    </message>
    <message>
        <source>host or IP, e.g. 192.168.1.50</source>
        <translation>host or IP, e.g. 192.168.1.50</translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3</source>
        <translation>e.g. /dev/ttyUSB0 or COM3</translation>
    </message>
    <message>
        <source>e.g. /dev/usb/lp0</source>
        <translation>e.g. /dev/usb/lp0</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>%1 mm</source>
        <translation>%1 mm</translation>
    </message>
    <message>
        <source>Paper width</source>
        <translation>Paper width</translation>
    </message>
    <message>
        <source>GBK (most printers sold in China)</source>
        <translation>GBK (most printers sold in China)</translation>
    </message>
    <message>
        <source>GB18030 (every character)</source>
        <translation>GB18030 (every character)</translation>
    </message>
    <message>
        <source>GB2312 (older Chinese fonts)</source>
        <translation>GB2312 (older Chinese fonts)</translation>
    </message>
    <message>
        <source>No Chinese font (ASCII only)</source>
        <translation>No Chinese font (ASCII only)</translation>
    </message>
    <message>
        <source>Characters the printer's font lacks print as a replacement (¥ as ￥, ñ as n, others as ?); the preview shows the same.</source>
        <translation>Characters the printer's font lacks print as a replacement (¥ as ￥, ñ as n, others as ?); the preview shows the same.</translation>
    </message>
    <message>
        <source>Character set</source>
        <translation>Character set</translation>
    </message>
    <message>
        <source>Open the cash drawer after a cash sale</source>
        <translation>Open the cash drawer after a cash sale</translation>
    </message>
    <message>
        <source>store name | address | phone</source>
        <translation>store name | address | phone</translation>
    </message>
    <message>
        <source>Receipt header</source>
        <translation>Receipt header</translation>
    </message>
    <message>
        <source>e.g. Thank you for shopping with us</source>
        <translation>e.g. Thank you for shopping with us</translation>
    </message>
    <message>
        <source>Receipt footer</source>
        <translation>Receipt footer</translation>
    </message>
    <message>
        <source>Test print</source>
        <translation>Test print</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <source>Keyboard wedge (USB, types like a keyboard)</source>
        <translation>Keyboard wedge (USB, types like a keyboard)</translation>
    </message>
    <message>
        <source>%1 baud</source>
        <translation>%1 baud</translation>
    </message>
    <message>
        <source>Keys at most</source>
        <translation>Keys at most</translation>
    </message>
    <message>
        <source>ms apart, at least</source>
        <translation>ms apart, at least</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>characters</translation>
    </message>
    <message>
        <source>A scan is</source>
        <translation>A scan is</translation>
    </message>
    <message>
        <source>prefix</source>
        <translation>prefix</translation>
    </message>
    <message>
        <source>suffix</source>
        <translation>suffix</translation>
    </message>
    <message>
        <source>Ends with Enter or Tab</source>
        <translation>Ends with Enter or Tab</translation>
    </message>
    <message>
        <source>Ends with Enter</source>
        <translation>Ends with Enter</translation>
    </message>
    <message>
        <source>Ends with Tab</source>
        <translation>Ends with Tab</translation>
    </message>
    <message>
        <source>Framing</source>
        <translation>Framing</translation>
    </message>
    <message>
        <source>Test scan…</source>
        <translation>Test scan…</translation>
    </message>
    <message>
        <source>Import products…</source>
        <translation>Import products…</translation>
    </message>
    <message>
        <source>Camera (member QR codes)</source>
        <translation>Camera (member QR codes)</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>No camera</translation>
    </message>
    <message>
        <source>Camera %1</source>
        <translation>Camera %1</translation>
    </message>
    <message>
        <source>a number, /dev/video2 or rtsp://…</source>
        <translation>a number, /dev/video2 or rtsp://…</translation>
    </message>
    <message>
        <source>Choose a camera by number, or type a device path such as /dev/video2 or a network camera's stream address such as rtsp://192.168.1.64/stream</source>
        <translation>Choose a camera by number, or type a device path such as /dev/video2 or a network camera's stream address such as rtsp://192.168.1.64/stream</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Automatic (zxing-cpp, then ZBar)</source>
        <translation>Automatic (zxing-cpp, then ZBar)</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>Decoder</translation>
    </message>
    <message>
        <source>Store and headquarters</source>
        <translation>Store and headquarters</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>Headquarters address</source>
        <translation>Headquarters address</translation>
    </message>
    <message>
        <source>empty: the system's certificates</source>
        <translation>empty: the system's certificates</translation>
    </message>
    <message>
        <source>Headquarters CA certificate (PEM file)</source>
        <translation>Headquarters CA certificate (PEM file)</translation>
    </message>
    <message>
        <source>sent down by headquarters</source>
        <translation>sent down by headquarters</translation>
    </message>
    <message>
        <source>Member QR code key (Ed25519, public)</source>
        <translation>Member QR code key (Ed25519, public)</translation>
    </message>
    <message>
        <source>ms; ask again after</source>
        <translation>ms; ask again after</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Member lookup at headquarters: wait at most</source>
        <translation>Member lookup at headquarters: wait at most</translation>
    </message>
    <message>
        <source>Keep other stores' members seen here for</source>
        <translation>Keep other stores' members seen here for</translation>
    </message>
    <message>
        <source>days</source>
        <translation>days</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Window language</source>
        <translation>Window language</translation>
    </message>
    <message>
        <source>Saved here, applied the next time the program starts.</source>
        <translation>Saved here, applied the next time the program starts.</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>Customer display</translation>
    </message>
    <message>
        <source>On a second screen, when there is one</source>
        <translation>On a second screen, when there is one</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Off</translation>
    </message>
    <message>
        <source>A window on this screen</source>
        <translation>A window on this screen</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>Shown</translation>
    </message>
    <message>
        <source>Self-enrolment address (a QR code between customers)</source>
        <translation>Self-enrolment address (a QR code between customers)</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>seconds</translation>
    </message>
    <message>
        <source>Thanks shown for</source>
        <translation>Thanks shown for</translation>
    </message>
    <message>
        <source>About</source>
        <translation>About</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>Backups folder</source>
        <translation>Backups folder</translation>
    </message>
    <message>
        <source>Logs folder</source>
        <translation>Logs folder</translation>
    </message>
    <message>
        <source>Last automatic backup</source>
        <translation>Last automatic backup</translation>
    </message>
    <message>
        <source>Loyalty program</source>
        <translation>Loyalty program</translation>
    </message>
    <message>
        <source>App version</source>
        <translation>App version</translation>
    </message>
    <message>
        <source>Undo changes (Esc)</source>
        <translation>Undo changes (Esc)</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>Save (Enter)</translation>
    </message>
    <message>
        <source>No camera configured: members are identified by card, phone number or scanner.</source>
        <translation>No camera configured: members are identified by card, phone number or scanner.</translation>
    </message>
    <message>
        <source>Camera %1 reads member QR codes, member cards and product barcodes at checkout; its picture is shown beside the member.</source>
        <translation>Camera %1 reads member QR codes, member cards and product barcodes at checkout; its picture is shown beside the member.</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>none yet</translation>
    </message>
    <message>
        <source>Only a manager imports products: log in as a manager.</source>
        <translation>Only a manager imports products: log in as a manager.</translation>
    </message>
    <message>
        <source>The devices use the new settings now.</source>
        <translation>The devices use the new settings now.</translation>
    </message>
    <message>
        <source>Test page queued as print job %1. It prints when the printer is ready; until then it waits in the print queue.</source>
        <translation>Test page queued as print job %1. It prints when the printer is ready; until then it waits in the print queue.</translation>
    </message>
    <message>
        <source>Unsaved changes were put back.</source>
        <translation>Unsaved changes were put back.</translation>
    </message>
    <message>
        <source>points</source>
        <translation>points</translation>
    </message>
    <message>
        <source>Gift hint within</source>
        <translation>Gift hint within</translation>
    </message>
    <message>
        <source>%1, version %2 (%3)</source>
        <translation>%1, version %2 (%3)</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Nothing changed.</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <source>The new language is applied the next time the program starts.</source>
        <translation>The new language is applied the next time the program starts.</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>Manager approval</translation>
    </message>
</context>
<context>
    <name>SettingsViewModel</name>
    <message>
        <source>Printer connection</source>
        <translation>Printer connection</translation>
    </message>
    <message>
        <source>Printer USB id</source>
        <translation>Printer USB id</translation>
    </message>
    <message>
        <source>Printer host</source>
        <translation>Printer host</translation>
    </message>
    <message>
        <source>Printer port</source>
        <translation>Printer port</translation>
    </message>
    <message>
        <source>Printer serial port</source>
        <translation>Printer serial port</translation>
    </message>
    <message>
        <source>Printer file</source>
        <translation>Printer file</translation>
    </message>
    <message>
        <source>Paper width</source>
        <translation>Paper width</translation>
    </message>
    <message>
        <source>Scanner connection</source>
        <translation>Scanner connection</translation>
    </message>
    <message>
        <source>Character set</source>
        <translation>Character set</translation>
    </message>
    <message>
        <source>Scanner serial port</source>
        <translation>Scanner serial port</translation>
    </message>
    <message>
        <source>Scanner baud rate</source>
        <translation>Scanner baud rate</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Headquarters address</source>
        <translation>Headquarters address</translation>
    </message>
    <message>
        <source>Headquarters CA certificate</source>
        <translation>Headquarters CA certificate</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Cash drawer</source>
        <translation>Cash drawer</translation>
    </message>
    <message>
        <source>Receipt header</source>
        <translation>Receipt header</translation>
    </message>
    <message>
        <source>Receipt footer</source>
        <translation>Receipt footer</translation>
    </message>
    <message>
        <source>Time between scanner keys</source>
        <translation>Time between scanner keys</translation>
    </message>
    <message>
        <source>Shortest scan</source>
        <translation>Shortest scan</translation>
    </message>
    <message>
        <source>Scanner prefix</source>
        <translation>Scanner prefix</translation>
    </message>
    <message>
        <source>Scanner suffix</source>
        <translation>Scanner suffix</translation>
    </message>
    <message>
        <source>Scan ending</source>
        <translation>Scan ending</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>Decoder</translation>
    </message>
    <message>
        <source>Member QR code key</source>
        <translation>Member QR code key</translation>
    </message>
    <message>
        <source>Member lookup wait</source>
        <translation>Member lookup wait</translation>
    </message>
    <message>
        <source>Member lookup age</source>
        <translation>Member lookup age</translation>
    </message>
    <message>
        <source>Days other stores' members stay</source>
        <translation>Days other stores' members stay</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>Customer display</translation>
    </message>
    <message>
        <source>Self-enrolment address</source>
        <translation>Self-enrolment address</translation>
    </message>
    <message>
        <source>Gift distance</source>
        <translation>Gift distance</translation>
    </message>
    <message>
        <source>Thanks after a sale</source>
        <translation>Thanks after a sale</translation>
    </message>
    <message>
        <source>vendor:product in hex, e.g. 04b8:0202</source>
        <translation>vendor:product in hex, e.g. 04b8:0202</translation>
    </message>
    <message>
        <source>a host name or IP address, e.g. 192.168.1.50</source>
        <translation>a host name or IP address, e.g. 192.168.1.50</translation>
    </message>
    <message>
        <source>a whole number from 1 to 65535, usually 9100</source>
        <translation>a whole number from 1 to 65535, usually 9100</translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3</source>
        <translation>e.g. /dev/ttyUSB0 or COM3</translation>
    </message>
    <message>
        <source>a full path, e.g. /dev/usb/lp0</source>
        <translation>a full path, e.g. /dev/usb/lp0</translation>
    </message>
    <message>
        <source>an https:// address, e.g. https://hq.example.com (http:// only to this computer)</source>
        <translation>an https:// address, e.g. https://hq.example.com (http:// only to this computer)</translation>
    </message>
    <message>
        <source>a full path to a PEM file, e.g. /etc/pos-app/hq-ca.pem</source>
        <translation>a full path to a PEM file, e.g. /etc/pos-app/hq-ca.pem</translation>
    </message>
    <message>
        <source>a camera number from 0 to 9, a device path such as /dev/video2 or a stream address such as rtsp://192.168.1.64/stream, without a password</source>
        <translation>a camera number from 0 to 9, a device path such as /dev/video2 or a stream address such as rtsp://192.168.1.64/stream, without a password</translation>
    </message>
    <message>
        <source>a whole number of milliseconds from 5 to 500</source>
        <translation>a whole number of milliseconds from 5 to 500</translation>
    </message>
    <message>
        <source>a whole number from 2 to 64</source>
        <translation>a whole number from 2 to 64</translation>
    </message>
    <message>
        <source>at most 8 printable ASCII characters</source>
        <translation>at most 8 printable ASCII characters</translation>
    </message>
    <message>
        <source>43 characters of base64url from headquarters</source>
        <translation>43 characters of base64url from headquarters</translation>
    </message>
    <message>
        <source>at most 200 characters, lines separated by |</source>
        <translation>at most 200 characters, lines separated by |</translation>
    </message>
    <message>
        <source>at most 200 characters</source>
        <translation>at most 200 characters</translation>
    </message>
    <message>
        <source>a whole number of milliseconds from 50 to 10000</source>
        <translation>a whole number of milliseconds from 50 to 10000</translation>
    </message>
    <message>
        <source>a whole number of seconds from 0 to 86400</source>
        <translation>a whole number of seconds from 0 to 86400</translation>
    </message>
    <message>
        <source>a whole number of days from 30 to 3650</source>
        <translation>a whole number of days from 30 to 3650</translation>
    </message>
    <message>
        <source>an http(s) address, e.g. https://m.example.com/join?store=S001</source>
        <translation>an http(s) address, e.g. https://m.example.com/join?store=S001</translation>
    </message>
    <message>
        <source>a whole number of points from 0 to 1000000</source>
        <translation>a whole number of points from 0 to 1000000</translation>
    </message>
    <message>
        <source>a whole number of seconds from 1 to 600</source>
        <translation>a whole number of seconds from 1 to 600</translation>
    </message>
    <message>
        <source>%1 is needed for this connection.</source>
        <translation>%1 is needed for this connection.</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1 is not valid.</translation>
    </message>
    <message>
        <source>%1 is not valid: %2.</source>
        <translation>%1 is not valid: %2.</translation>
    </message>
    <message>
        <source>A store manager must approve changing: %1</source>
        <translation>A store manager must approve changing: %1</translation>
    </message>
    <message>
        <source>Member card %1</source>
        <translation>Member card %1</translation>
    </message>
    <message>
        <source>Mainland mobile number %1</source>
        <translation>Mainland mobile number %1</translation>
    </message>
    <message>
        <source>Product barcode %1 (%2)</source>
        <translation>Product barcode %1 (%2)</translation>
    </message>
    <message>
        <source>not in the catalogue</source>
        <translation>not in the catalogue</translation>
    </message>
    <message>
        <source>Coupon code %1</source>
        <translation>Coupon code %1</translation>
    </message>
    <message>
        <source>Member code for card %1</source>
        <translation>Member code for card %1</translation>
    </message>
    <message>
        <source>Gift %1</source>
        <translation>Gift %1</translation>
    </message>
    <message>
        <source>Receipt number %1</source>
        <translation>Receipt number %1</translation>
    </message>
    <message>
        <source>Nothing was read.</source>
        <translation>Nothing was read.</translation>
    </message>
    <message>
        <source>Unknown code %1: not a member card, phone number, product barcode or coupon</source>
        <translation>Unknown code %1: not a member card, phone number, product barcode or coupon</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <source>Only a store manager manages staff: log in as a manager.</source>
        <translation>Only a store manager manages staff: log in as a manager.</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Staff member</source>
        <translation>Staff member</translation>
    </message>
    <message>
        <source>3 to 8 digits</source>
        <translation>3 to 8 digits</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>Cashier</translation>
    </message>
    <message>
        <source>Store manager</source>
        <translation>Store manager</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 to 8 digits</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <source>Add (Enter)</source>
        <translation>Add (Enter)</translation>
    </message>
    <message>
        <source>Reset PIN (Ctrl+P)</source>
        <translation>Reset PIN (Ctrl+P)</translation>
    </message>
    <message>
        <source>Disable / enable (Ctrl+D)</source>
        <translation>Disable / enable (Ctrl+D)</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <source>%1 (%2) added.</source>
        <translation>%1 (%2) added.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>The two PINs differ: type the same PIN twice.</translation>
    </message>
    <message>
        <source>The PIN of %1 was reset.</source>
        <translation>The PIN of %1 was reset.</translation>
    </message>
    <message>
        <source>%1 enabled.</source>
        <translation>%1 enabled.</translation>
    </message>
    <message>
        <source>%1 disabled: they can no longer log in.</source>
        <translation>%1 disabled: they can no longer log in.</translation>
    </message>
</context>
<context>
    <name>SuspendedDialog</name>
    <message>
        <source>Suspended sales</source>
        <translation>Suspended sales</translation>
    </message>
    <message>
        <source>Discard (Del)</source>
        <translation>Discard (Del)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <source>Resume (Enter)</source>
        <translation>Resume (Enter)</translation>
    </message>
    <message>
        <source>%1  ·  %2 lines  ·  %3</source>
        <translation>%1  ·  %2 lines  ·  %3</translation>
    </message>
    <message>
        <source>No suspended sales.</source>
        <translation>No suspended sales.</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
    </message>
</context>
<context>
    <name>WorkArea</name>
    <message>
        <source>Close shift</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>Ctrl+F12</source>
        <translation>Ctrl+F12</translation>
    </message>
</context>
</TS>